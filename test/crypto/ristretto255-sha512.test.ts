/**
 * The ristretto255-SHA512 suite over libsodium (src/crypto/ristretto255-sha512.ts) against @noble/curves
 * as an independent implementation: decoding (RFC 9496 §4.3.1) accepts exactly what noble accepts,
 * minus the identity; HashToGroup and HashToScalar (RFC 9497 §4.1) agree for any message and DST;
 * scalar arithmetic agrees with BigInt. Also pins the libsodium behaviours the suite works around,
 * so that an upgrade that changes them fails here first.
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ristretto255, ristretto255_hasher } from '@noble/curves/ed25519.js';
import {
  hashToGroup,
  hashToScalar,
  invertAll,
  isElement,
  isScalar,
  mul,
  mulBase,
  randomScalar,
  sum,
} from '../../src/crypto/ristretto255-sha512.js';
import { sodium } from '../../src/crypto/sodium.js';
import { toHex } from '../../src/util/bytes.js';

const { Point } = ristretto255;
const L = Point.Fn.ORDER;
const P = 2n ** 255n - 19n;

function le(x: bigint, length = 32): Uint8Array {
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++, x >>= 8n) out[i] = Number(x & 0xffn);
  return out;
}
function fromLe(bytes: Uint8Array): bigint {
  return bytes.reduceRight((acc, b) => (acc << 8n) | BigInt(b), 0n);
}

/** What noble makes of 32 bytes: a non-identity element, or nothing. */
function nobleAccepts(bytes: Uint8Array): boolean {
  try {
    return !Point.fromBytes(bytes).is0();
  } catch {
    return false;
  }
}

const scalars = fc.bigInt(1n, L - 1n);
const validEncoding = scalars.map((k) => Point.BASE.multiply(k).toBytes());

describe('ristretto255-SHA512 over libsodium', () => {
  describe('element decoding (RFC 9496 §4.3.1, RFC 9497 §3.3)', () => {
    it('when bytes are random, then isElement accepts exactly what noble decodes to a non-identity element', () => {
      let accepted = 0;
      fc.assert(
        fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), (bytes) => {
          assert.equal(isElement(bytes), nobleAccepts(bytes), toHex(bytes));
          if (nobleAccepts(bytes)) accepted++;
        }),
        { numRuns: 2000 },
      );
      assert.ok(accepted > 0, 'some random strings should decode');
    });

    it('when a valid encoding has one bit flipped, then both agree on it', () => {
      fc.assert(
        fc.property(validEncoding, fc.nat(255), (bytes, bit) => {
          assert.ok(isElement(bytes));
          const flipped = Uint8Array.from(bytes);
          flipped[bit >> 3] = (flipped[bit >> 3] as number) ^ (1 << (bit & 7));
          assert.equal(isElement(flipped), nobleAccepts(flipped), toHex(flipped));
        }),
        { numRuns: 300 },
      );
    });

    it('when the field element is p + j (non-canonical), then it is refused even where j is valid', () => {
      for (let j = 0n; j < 19n; j++) {
        assert.equal(isElement(le(P + j)), false, `p + ${j}`);
        assert.equal(isElement(le(j)), nobleAccepts(le(j)), `${j}`);
      }
    });

    it('when the identity or a wrong length is given, then it is refused', () => {
      assert.equal(isElement(new Uint8Array(32)), false);
      assert.equal(isElement(Point.BASE.toBytes().subarray(1)), false);
      assert.equal(isElement([...Point.BASE.toBytes()]), false);
    });
  });

  describe('hashing (RFC 9497 §4.1 via RFC 9380 expand_message_xmd)', () => {
    it('when any message and DST are hashed, then HashToGroup and HashToScalar equal noble', () => {
      fc.assert(
        fc.property(
          fc.uint8Array({ maxLength: 300 }),
          fc.uint8Array({ minLength: 1, maxLength: 255 }),
          (msg, DST) => {
            assert.equal(
              toHex(hashToGroup(msg, DST)),
              toHex(ristretto255_hasher.hashToCurve(msg, { DST }).toBytes()),
            );
            assert.equal(fromLe(hashToScalar(msg, DST)), ristretto255_hasher.hashToScalar(msg, { DST }));
          },
        ),
        { numRuns: 200 },
      );
    });

    it('when the DST is longer than 255 bytes, then hashing throws RangeError', () => {
      assert.throws(() => hashToScalar(new Uint8Array(1), new Uint8Array(256)), RangeError);
    });
  });

  describe('scalars and arithmetic', () => {
    it('when 48 random bytes are drawn, then RandomScalar is x mod (L-1) + 1, canonical and nonzero', () => {
      fc.assert(
        fc.property(fc.uint8Array({ minLength: 48, maxLength: 48 }), (bytes) => {
          const scalar = randomScalar(() => bytes);
          assert.equal(fromLe(scalar), (fromLe(bytes) % (L - 1n)) + 1n);
          assert.ok(isScalar(scalar));
        }),
      );
      assert.equal(
        fromLe(randomScalar(() => new Uint8Array(48).fill(0xff))),
        (((1n << 384n) - 1n) % (L - 1n)) + 1n,
      );
    });

    it('when the random source returns other than 48 bytes, then RandomScalar throws TypeError', () => {
      assert.throws(() => randomScalar(() => new Uint8Array(32)), TypeError);
    });

    it('when scalars are at or above L, then isScalar refuses them', () => {
      assert.ok(isScalar(le(L - 1n)));
      assert.equal(isScalar(le(L)), false);
      assert.equal(isScalar(le(L + 1n)), false);
      assert.equal(isScalar(new Uint8Array(32).fill(0xff)), false);
      assert.equal(isScalar(new Uint8Array(31)), false);
    });

    it('when points are multiplied and summed, then the results equal noble, the identity included', () => {
      fc.assert(
        fc.property(fc.bigInt(0n, L - 1n), fc.bigInt(0n, L - 1n), validEncoding, (a, b, encoded) => {
          const expected = Point.fromBytes(encoded).multiplyUnsafe(a).add(Point.BASE.multiplyUnsafe(b));
          assert.equal(toHex(sum([mul(le(a), encoded), mulBase(le(b))])), toHex(expected.toBytes()));
        }),
        { numRuns: 200 },
      );
      const G = Point.BASE.toBytes();
      const identity = toHex(new Uint8Array(32));
      assert.equal(toHex(sum([mul(le(L - 1n), G), G])), identity);
      assert.equal(toHex(mul(le(5n), new Uint8Array(32))), identity);
      assert.equal(toHex(mulBase(new Uint8Array(32))), identity);
      assert.equal(toHex(sum([])), identity);
    });

    it('when a batch of nonzero scalars is inverted, then each inverse is the modular inverse', () => {
      fc.assert(
        fc.property(fc.array(scalars, { maxLength: 12 }), (values) => {
          const inverses = invertAll(values.map((v) => le(v)));
          assert.deepEqual(
            inverses.map(fromLe),
            values.map((v) => Point.Fn.inv(v)),
          );
        }),
        { numRuns: 100 },
      );
      assert.throws(() => invertAll([le(3n), new Uint8Array(32)]));
    });
  });

  describe('libsodium behaviours the suite works around (pinned)', () => {
    const G = Point.BASE.toBytes();

    it('when the identity is checked, then libsodium calls it a valid point (so isElement refuses it itself)', () => {
      assert.equal(sodium.crypto_core_ristretto255_is_valid_point(new Uint8Array(32)), true);
    });

    it('when a product is the identity, then libsodium throws (so mul and mulBase return it instead)', () => {
      assert.throws(() => sodium.crypto_scalarmult_ristretto255(new Uint8Array(32), G));
      assert.throws(() => sodium.crypto_scalarmult_ristretto255(le(1n), new Uint8Array(32)));
      assert.throws(() => sodium.crypto_scalarmult_ristretto255_base(new Uint8Array(32)));
    });

    it('when a scalar is not canonical, then libsodium multiplies anyway (so wire scalars are checked against L)', () => {
      const big = new Uint8Array(32).fill(0xff);
      assert.equal(sodium.crypto_scalarmult_ristretto255(big, G).length, 32);
      assert.throws(() => sodium.crypto_scalarmult_ristretto255(le(L), G));
    });
  });
});
