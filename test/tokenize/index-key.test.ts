// Broker re-keying of tokens (DESIGN §2; RFC 2104 HMAC-SHA256 truncated to 16 bytes).
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { isBrokerError } from '../../src/errors.js';
import { indexKeyOf, IndexKeyer } from '../../src/tokenize/index-key.js';
import { fromBase64url, fromHex, toBase64url } from '../../src/util/bytes.js';
import vectors from '../vectors/tokenize/hmac.json' with { type: 'json' };

const KEY = new Uint8Array(32).fill(9);

describe('indexKeyOf', () => {
  for (const v of vectors.indexKey) {
    it(`when re-keying token ${v.token}, then the index key matches the vector`, () => {
      assert.equal(indexKeyOf(fromHex(v.brokerIndexKey), v.token), v.indexKey);
      assert.equal(new IndexKeyer(fromHex(v.brokerIndexKey)).indexKeyOf(v.token), v.indexKey);
    });
  }

  it('when the broker key is not 32 bytes, then it throws RangeError', () => {
    assert.throws(() => indexKeyOf(new Uint8Array(16), toBase64url(new Uint8Array(16))), RangeError);
  });

  it('when the token is not 16 bytes of canonical base64url, then it throws TOKEN_MALFORMED', () => {
    const bad = [
      '',
      'AAAA',
      `${'A'.repeat(22)}=`,
      '!'.repeat(22),
      'A'.repeat(23),
      42,
      null,
      'A'.repeat(21) + 'B',
    ];
    for (const token of bad) {
      assert.throws(
        () => indexKeyOf(KEY, token as string),
        (err) => isBrokerError(err, 'TOKEN_MALFORMED'),
        String(token),
      );
    }
  });

  it('when any token is re-keyed, then the index key is 16 bytes and differs per broker key', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 16, maxLength: 16 }),
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        (tokenBytes, otherKey) => {
          fc.pre(toBase64url(otherKey) !== toBase64url(KEY));
          const token = toBase64url(tokenBytes);
          const key = indexKeyOf(KEY, token);
          assert.equal(fromBase64url(key).length, 16);
          assert.notEqual(key, token);
          assert.notEqual(indexKeyOf(otherKey, token), key);
        },
      ),
    );
  });
});
