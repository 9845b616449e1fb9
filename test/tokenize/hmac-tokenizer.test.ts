// hmac-mode tokenizer (DESIGN §2; RFC 5869 HKDF, RFC 2104 HMAC): vectors, input checks, properties.
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { isBrokerError } from '../../src/errors.js';
import { IDENTIFIER_TYPES } from '../../src/normalize/schema.js';
import type { IdentifierType } from '../../src/normalize/schema.js';
import { derivePrfKey, HmacTokenizer } from '../../src/tokenize/hmac-tokenizer.js';
import { tokenPairFromPrfOutput } from '../../src/tokenize/tokenizer.js';
import { fromBase64url, fromHex, toHex } from '../../src/util/bytes.js';
import vectors from '../vectors/tokenize/hmac.json' with { type: 'json' };

const SECRET = Uint8Array.from({ length: 32 }, (_, i) => i);
const OPTIONS = { consortiumSecret: SECRET, consortiumId: 'cn-consortium-test', epoch: 1 };
const secretArb = fc.uint8Array({ minLength: 32, maxLength: 32 });
const typeArb = fc.constantFrom(...IDENTIFIER_TYPES);
const valueArb = fc.string({ minLength: 1, maxLength: 40 });

function optionsOf(v: (typeof vectors.valid)[number]) {
  return { consortiumSecret: fromHex(v.consortiumSecret), consortiumId: v.consortiumId, epoch: v.epoch };
}

describe('HmacTokenizer', () => {
  describe('vectors', () => {
    for (const v of vectors.valid) {
      it(`when tokenizing ${v.type} at epoch ${v.epoch}, then prfKey, token and sealKey match the vector`, () => {
        const type = v.type as IdentifierType;
        assert.equal(toHex(derivePrfKey(optionsOf(v), type)), v.prfKey);
        const pair = new HmacTokenizer(optionsOf(v)).tokenize(type, v.normalized);
        assert.equal(pair.token, v.token);
        assert.equal(toHex(pair.sealKey), v.sealKey);
        const fromPrf = tokenPairFromPrfOutput(fromHex(v.prfOutput));
        assert.equal(fromPrf.token, v.token);
        assert.equal(toHex(fromPrf.sealKey), v.sealKey);
      });
    }
    for (const v of vectors.invalid) {
      it(`when the input is bad (${v.description}), then it throws ${v.code}`, () => {
        const tokenizer = new HmacTokenizer(OPTIONS);
        assert.throws(
          () => tokenizer.tokenize(v.type as IdentifierType, v.normalized),
          (err) => isBrokerError(err, v.code),
        );
      });
    }
  });

  describe('inputs', () => {
    it('when the secret is not 32 bytes, then construction throws RangeError', () => {
      assert.throws(
        () => new HmacTokenizer({ ...OPTIONS, consortiumSecret: new Uint8Array(31) }),
        RangeError,
      );
      assert.throws(
        () => new HmacTokenizer({ ...OPTIONS, consortiumSecret: new Uint8Array(33) }),
        RangeError,
      );
    });

    it('when the secret is not a Uint8Array, then construction throws TypeError', () => {
      const secret = Array.from(SECRET) as unknown as Uint8Array;
      assert.throws(() => new HmacTokenizer({ ...OPTIONS, consortiumSecret: secret }), TypeError);
    });

    it('when the epoch is not a positive integer, then construction throws RangeError', () => {
      for (const epoch of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53]) {
        assert.throws(() => new HmacTokenizer({ ...OPTIONS, epoch }), RangeError, String(epoch));
      }
    });

    it('when the consortium id is empty or not a string, then construction throws', () => {
      assert.throws(() => new HmacTokenizer({ ...OPTIONS, consortiumId: '' }), RangeError);
      assert.throws(() => new HmacTokenizer({ ...OPTIONS, consortiumId: 7 as unknown as string }), TypeError);
    });

    it('when the value is not a string, then tokenize throws TOKEN_INPUT naming the type', () => {
      const tokenizer = new HmacTokenizer(OPTIONS);
      for (const value of [null, undefined, 42]) {
        assert.throws(
          () => tokenizer.tokenize('phone', value as unknown as string),
          (err) => isBrokerError(err, 'TOKEN_INPUT') && err.field === 'phone',
        );
      }
    });

    it('when the type is a prototype key, then tokenize throws TOKEN_INPUT', () => {
      const tokenizer = new HmacTokenizer(OPTIONS);
      for (const type of ['__proto__', 'constructor', 'toString']) {
        assert.throws(
          () => tokenizer.tokenize(type as IdentifierType, 'x'),
          (err) => isBrokerError(err, 'TOKEN_INPUT'),
        );
      }
    });

    it('when the PRF output is shorter than 32 bytes, then tokenPairFromPrfOutput throws RangeError', () => {
      assert.throws(() => tokenPairFromPrfOutput(new Uint8Array(31)), RangeError);
    });
  });

  describe('tokenizeBatch', () => {
    it('when given several items, then it returns the same pairs as tokenize, in order', async () => {
      const tokenizer = new HmacTokenizer(OPTIONS);
      const items = [
        { type: 'email', value: 'a@b.cn' },
        { type: 'phone', value: '+8613812345678' },
      ] as const;
      const pairs = await tokenizer.tokenizeBatch(items);
      assert.deepEqual(
        pairs,
        items.map((item) => tokenizer.tokenize(item.type, item.value)),
      );
      assert.equal(tokenizer.mode, 'hmac');
      assert.equal(tokenizer.epoch, 1);
    });

    it('when one item is empty, then the batch rejects with TOKEN_INPUT', async () => {
      const tokenizer = new HmacTokenizer(OPTIONS);
      await assert.rejects(
        tokenizer.tokenizeBatch([
          { type: 'email', value: 'a@b.cn' },
          { type: 'name', value: '' },
        ]),
        (err) => isBrokerError(err, 'TOKEN_INPUT'),
      );
    });
  });

  describe('properties', () => {
    it('when tokenizing any value, then the token is 16 bytes and the sealKey 32 bytes, unrelated', () => {
      const tokenizer = new HmacTokenizer(OPTIONS);
      fc.assert(
        fc.property(typeArb, valueArb, (type, value) => {
          const { token, sealKey } = tokenizer.tokenize(type, value);
          const tokenBytes = fromBase64url(token, 16);
          assert.equal(sealKey.length, 32);
          assert.notDeepEqual(sealKey.subarray(0, 16), tokenBytes);
        }),
      );
    });

    it('when the type differs, then the same value gives different tokens and sealKeys', () => {
      const tokenizer = new HmacTokenizer(OPTIONS);
      fc.assert(
        fc.property(typeArb, typeArb, valueArb, (a, b, value) => {
          fc.pre(a !== b);
          const pa = tokenizer.tokenize(a, value);
          const pb = tokenizer.tokenize(b, value);
          assert.notEqual(pa.token, pb.token);
          assert.notDeepEqual(pa.sealKey, pb.sealKey);
        }),
      );
    });

    it('when the epoch, consortium id or secret differs, then the same value gives a different token', () => {
      fc.assert(
        fc.property(
          fc.record({
            consortiumSecret: secretArb,
            consortiumId: fc.string({ minLength: 1 }),
            epoch: fc.integer({ min: 1 }),
          }),
          fc.constantFrom('consortiumSecret', 'consortiumId', 'epoch'),
          secretArb,
          typeArb,
          valueArb,
          (options, change, otherSecret, type, value) => {
            const other = { ...options };
            if (change === 'consortiumSecret') other.consortiumSecret = otherSecret;
            if (change === 'consortiumId') other.consortiumId = `${options.consortiumId}x`;
            if (change === 'epoch') other.epoch = options.epoch + 1;
            fc.pre(change !== 'consortiumSecret' || toHex(otherSecret) !== toHex(options.consortiumSecret));
            const a = new HmacTokenizer(options).tokenize(type, value);
            const b = new HmacTokenizer(other).tokenize(type, value);
            assert.notEqual(a.token, b.token);
            assert.notDeepEqual(a.sealKey, b.sealKey);
          },
        ),
        { numRuns: 50 },
      );
    });

    it('when two values differ, then their tokens differ', () => {
      const tokenizer = new HmacTokenizer(OPTIONS);
      fc.assert(
        fc.property(typeArb, valueArb, valueArb, (type, a, b) => {
          fc.pre(a !== b);
          assert.notEqual(tokenizer.tokenize(type, a).token, tokenizer.tokenize(type, b).token);
        }),
      );
    });
  });
});
