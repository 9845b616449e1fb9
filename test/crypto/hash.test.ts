import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { hkdfExpandSha256, hmacSha256, KeyedHmacSha256 } from '../../src/crypto/hash.js';
import { fromHex, toHex } from '../../src/util/bytes.js';

// RFC 4231 §4 test cases 1, 2, 6 (key longer than a block) and RFC 5869 §A.1.
const RFC4231 = [
  {
    key: '0b'.repeat(20),
    data: '4869205468657265',
    mac: 'b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7',
  },
  {
    key: '4a656665',
    data: '7768617420646f2079612077616e7420666f72206e6f7468696e673f',
    mac: '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843',
  },
  {
    key: 'aa'.repeat(131),
    data: '54657374205573696e67204c6172676572205468616e20426c6f636b2d53697a65204b6579202d2048617368204b6579204669727374',
    mac: '60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54',
  },
];

describe('crypto/hash', () => {
  it('when given the RFC 4231 vectors, then the keyed OpenSSL HMAC and noble HMAC both match', () => {
    for (const v of RFC4231) {
      assert.equal(toHex(new KeyedHmacSha256(fromHex(v.key)).mac(fromHex(v.data))), v.mac);
      assert.equal(toHex(hmacSha256(fromHex(v.key), fromHex(v.data))), v.mac);
    }
  });

  it('when given the RFC 5869 A.1 PRK, then one-block HKDF-Expand matches the published OKM prefix', () => {
    const prk = fromHex('077709362c2e32df0ddc3f0dc47bba6390b6c73bb50f9c3122ec844ad7c2b3e5');
    const okm = hkdfExpandSha256(prk, fromHex('f0f1f2f3f4f5f6f7f8f9'), 32);
    assert.equal(toHex(okm), '3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf');
    assert.equal(
      toHex(hkdfExpandSha256(prk, fromHex('f0f1f2f3f4f5f6f7f8f9'), 42)),
      `${toHex(okm)}34007208d5b887185865`,
    );
  });

  it('when keys and messages are random, then the OpenSSL paths equal node:crypto createHmac', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 0, maxLength: 200 }),
        fc.uint8Array({ maxLength: 300 }),
        (key, msg) => {
          const expected = createHmac('sha256', key).update(msg).digest('hex');
          assert.equal(toHex(new KeyedHmacSha256(key).mac(msg)), expected);
          assert.equal(toHex(hmacSha256(key, msg)), expected);
        },
      ),
    );
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 32, maxLength: 64 }),
        fc.uint8Array({ maxLength: 64 }),
        fc.integer({ min: 1, max: 32 }),
        (prk, info, len) => {
          const ours = hkdfExpandSha256(prk, info, len);
          const reference = createHmac('sha256', prk)
            .update(Buffer.concat([info, Buffer.from([1])]))
            .digest()
            .subarray(0, len);
          assert.equal(toHex(ours), reference.toString('hex'));
        },
      ),
    );
  });

  it('when one keyed HMAC is reused over messages of changing length, then each MAC stays exact', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 1, maxLength: 100 }),
        fc.array(fc.uint8Array({ maxLength: 130 }), { minLength: 1, maxLength: 20 }),
        (key, messages) => {
          const keyed = new KeyedHmacSha256(key);
          for (const msg of messages) {
            assert.equal(toHex(keyed.mac(msg)), createHmac('sha256', key).update(msg).digest('hex'));
          }
        },
      ),
    );
  });

  it('when the PRK is short or the length out of range, then HKDF-Expand throws RangeError', () => {
    assert.throws(() => hkdfExpandSha256(new Uint8Array(31), new Uint8Array(), 16), RangeError);
    assert.throws(() => hkdfExpandSha256(new Uint8Array(32), new Uint8Array(), 0), RangeError);
    assert.throws(() => hkdfExpandSha256(new Uint8Array(32), new Uint8Array(), 8161), RangeError);
  });
});
