/**
 * The consortium token secret (DESIGN §2, hmac mode): 32 random bytes shared by members only, stored
 * per member wrapped with RSA-OAEP-256 (RFC 8017 §7.1) to its encryption certificate. The OAEP label
 * `blindbroker/v1/token-secret/<consortiumId>/<epoch>` binds each wrapping to its consortium and
 * epoch, so a wrapped secret moved into another file's context does not unwrap.
 */
import { describeCertificate } from '../crypto/pki.js';
import { rsaOaepDecrypt, rsaOaepEncrypt } from '../crypto/rsa.js';
import { BrokerError } from '../errors.js';
import { fromBase64url, toBase64url, utf8 } from '../util/bytes.js';

export const TOKEN_SECRET_BYTES = 32;
export const TOKEN_SECRET_ALG = 'RSA-OAEP-256';

export interface TokenSecretFile {
  consortium: string;
  consortiumId: string;
  epoch: number;
  alg: typeof TOKEN_SECRET_ALG;
  wrapped: string;
  encCertFingerprint: string;
}

export interface TokenSecretContext {
  consortium: string;
  consortiumId: string;
  epoch: number;
}

function label(consortiumId: string, epoch: number): Uint8Array {
  return utf8(`blindbroker/v1/token-secret/${consortiumId}/${epoch}`);
}

/** Wraps the secret to one member's encryption certificate. Throws CERT_MALFORMED, KEY_MALFORMED. */
export function wrapTokenSecret(encCertPem: string, secret: Uint8Array, context: TokenSecretContext): TokenSecretFile {
  return {
    consortium: context.consortium,
    consortiumId: context.consortiumId,
    epoch: context.epoch,
    alg: TOKEN_SECRET_ALG,
    wrapped: toBase64url(rsaOaepEncrypt(encCertPem, secret, label(context.consortiumId, context.epoch))),
    encCertFingerprint: describeCertificate(encCertPem).fingerprint,
  };
}

/**
 * Unwraps a parsed token-secret.json with the member's encryption key. Throws KEYS_MALFORMED for a
 * bad file, KEYS_TOKEN_SECRET when it was wrapped to another certificate or does not decrypt.
 */
export function unwrapTokenSecretFile(value: unknown, encKeyPem: string, encCertPem: string, file: string): Uint8Array {
  const f = value as Partial<TokenSecretFile> | null;
  if (
    typeof f !== 'object' ||
    f === null ||
    typeof f.consortiumId !== 'string' ||
    !Number.isSafeInteger(f.epoch) ||
    f.alg !== TOKEN_SECRET_ALG ||
    typeof f.wrapped !== 'string'
  ) {
    throw new BrokerError('KEYS_MALFORMED', `${file} is not a token-secret file`, { details: { path: file } });
  }
  const fingerprint = describeCertificate(encCertPem).fingerprint;
  const failed = (message: string, cause?: unknown) =>
    new BrokerError('KEYS_TOKEN_SECRET', `${file}: ${message}`, {
      cause,
      hint: 'ask the consortium operator to re-wrap the token secret to this member’s encryption certificate',
      details: { path: file },
    });
  if (f.encCertFingerprint !== fingerprint) throw failed('wrapped to another encryption certificate');
  let secret: Uint8Array;
  try {
    secret = rsaOaepDecrypt(encKeyPem, fromBase64url(f.wrapped), label(f.consortiumId, f.epoch as number));
  } catch (cause) {
    throw failed('does not unwrap with this member’s encryption key', cause);
  }
  if (secret.length !== TOKEN_SECRET_BYTES) throw failed(`secret is not ${TOKEN_SECRET_BYTES} bytes`);
  return secret;
}
