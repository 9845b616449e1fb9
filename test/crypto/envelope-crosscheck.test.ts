// Opens the envelope bb1 vectors with node:crypto directly (NIST SP 800-38D AES-256-GCM), building
// the AADs from docs/formats.md by hand, so test/vectors/envelope/bb1.json is not self-referential.
import assert from 'node:assert/strict';
import { createDecipheriv } from 'node:crypto';
import vectors from '../vectors/envelope/bb1.json' with { type: 'json' };

function gcmOpen(key: Buffer, sealed: string, aad: string): Buffer {
  assert.ok(sealed.startsWith('bb1.'));
  const bytes = Buffer.from(sealed.slice(4), 'base64url');
  const decipher = createDecipheriv('aes-256-gcm', key, bytes.subarray(0, 12));
  decipher.setAAD(Buffer.from(aad, 'utf8'));
  decipher.setAuthTag(bytes.subarray(bytes.length - 16));
  return Buffer.concat([decipher.update(bytes.subarray(12, bytes.length - 16)), decipher.final()]);
}

describe('envelope vectors cross-checked with node:crypto', () => {
  for (const v of vectors.valid) {
    it(`when opening "${v.description}" by hand with OpenSSL, then every group decrypts to its JSON`, () => {
      const { owner, recordId, schema } = v.envelope;
      for (const [group, sealed] of Object.entries(v.envelope.groups)) {
        for (const subject of v.input.subjects) {
          const slot = (sealed.slots as Record<string, string>)[subject.type] ?? '';
          const dataKey = gcmOpen(
            Buffer.from(subject.sealKey, 'hex'),
            slot,
            `bb1|slot|${owner}|${recordId}|${group}|${subject.type}`,
          );
          const json = gcmOpen(dataKey, sealed.ct, `bb1|${owner}|${recordId}|${group}|${schema}`).toString(
            'utf8',
          );
          assert.equal(json, JSON.stringify((v.input.groups as Record<string, unknown>)[group]));
        }
      }
    });
  }
});
