/**
 * An Ed25519 verifier independent of @noble/curves (OpenSSL via node:crypto), so ledger tests can
 * check that checkpoint signatures are plain RFC 8032 signatures any implementation accepts.
 * Lives under test/crypto/ because only crypto code may import node:crypto.
 */
import { createPublicKey, verify } from 'node:crypto';

export function opensslEd25519Verify(
  signature: Uint8Array,
  message: Uint8Array,
  publicKey: Uint8Array,
): boolean {
  const key = createPublicKey({
    key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(publicKey).toString('base64url') },
    format: 'jwk',
  });
  return verify(null, message, key, signature);
}
