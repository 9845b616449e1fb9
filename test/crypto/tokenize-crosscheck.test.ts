// Recomputes the token vectors with node:crypto (OpenSSL), independent of @noble/hashes and of
// src/tokenize, so test/vectors/tokenize/hmac.json is not self-referential (RFC 5869, RFC 2104).
import assert from 'node:assert/strict';
import { createHmac, hkdfSync } from 'node:crypto';
import vectors from '../vectors/tokenize/hmac.json' with { type: 'json' };

const hex = (text: string) => Buffer.from(text, 'hex');

/** RFC 5869 §2.3 HKDF-Expand for L <= 32: T(1) = HMAC(PRK, info ‖ 0x01). */
function expandOneBlock(prk: Buffer, info: string, length: number): Buffer {
  return createHmac('sha256', prk).update(info, 'utf8').update(Buffer.of(1)).digest().subarray(0, length);
}

describe('token vectors cross-checked with node:crypto', () => {
  for (const v of vectors.valid) {
    it(`when recomputing ${v.type} at epoch ${v.epoch} with OpenSSL, then every value matches`, () => {
      const info = `blindbroker/v1/prf/${v.type}/${v.epoch}`;
      const prfKey = Buffer.from(hkdfSync('sha256', hex(v.consortiumSecret), v.consortiumId, info, 32));
      assert.equal(prfKey.toString('hex'), v.prfKey);
      const prfOutput = createHmac('sha256', prfKey).update(v.normalized, 'utf8').digest();
      assert.equal(prfOutput.toString('hex'), v.prfOutput);
      assert.equal(expandOneBlock(prfOutput, 'blindbroker/v1/token', 16).toString('base64url'), v.token);
      assert.equal(expandOneBlock(prfOutput, 'blindbroker/v1/seal', 32).toString('hex'), v.sealKey);
    });
  }

  for (const v of vectors.indexKey) {
    it(`when recomputing the index key of ${v.token} with OpenSSL, then it matches`, () => {
      const mac = createHmac('sha256', hex(v.brokerIndexKey))
        .update(Buffer.from(v.token, 'base64url'))
        .digest();
      assert.equal(mac.subarray(0, 16).toString('base64url'), v.indexKey);
    });
  }
});
