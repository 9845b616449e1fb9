/**
 * SHA-256 (FIPS 180-4), HMAC-SHA256 (RFC 2104) and HKDF-SHA256 (RFC 5869) from @noble/hashes, the
 * portable implementations the token spec and the Merkle log are defined against (DESIGN §8).
 * `streamingSha256` uses node:crypto for bulk digests over whole batch files, where OpenSSL's
 * speed matters and portability does not (the result is the same function).
 */
import { createHash } from 'node:crypto';
import { hkdf, expand, extract } from '@noble/hashes/hkdf.js';
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js';

export function sha256(data: Uint8Array): Uint8Array {
  return nobleSha256(data);
}

export function hmacSha256(key: Uint8Array, message: Uint8Array): Uint8Array {
  return hmac(nobleSha256, key, message);
}

/** RFC 5869 HKDF (extract then expand). */
export function hkdfSha256(ikm: Uint8Array, salt: Uint8Array, info: Uint8Array, length: number): Uint8Array {
  return hkdf(nobleSha256, ikm, salt, info, length);
}

/** RFC 5869 §2.2 HKDF-Extract. */
export function hkdfExtractSha256(ikm: Uint8Array, salt: Uint8Array): Uint8Array {
  return extract(nobleSha256, ikm, salt);
}

/** RFC 5869 §2.3 HKDF-Expand; `prk` must be at least 32 bytes. */
export function hkdfExpandSha256(prk: Uint8Array, info: Uint8Array, length: number): Uint8Array {
  return expand(nobleSha256, prk, info, length);
}

/**
 * HMAC-SHA256 under one fixed key, with the keyed inner and outer states computed once: each call
 * then costs two compressions fewer than `hmacSha256`. Used for PRFs evaluated millions of times.
 */
export class KeyedHmacSha256 {
  readonly #base: ReturnType<typeof hmac.create>;

  constructor(key: Uint8Array) {
    this.#base = hmac.create(nobleSha256, key);
  }

  mac(message: Uint8Array): Uint8Array {
    return this.#base.clone().update(message).digest();
  }
}

/** Incremental SHA-256 over data too large to hold at once (batch files). */
export interface StreamingDigest {
  update(chunk: Uint8Array | string): StreamingDigest;
  digestHex(): string;
}

export function streamingSha256(): StreamingDigest {
  const hash = createHash('sha256');
  const digest: StreamingDigest = {
    update(chunk) {
      hash.update(chunk);
      return digest;
    },
    digestHex: () => hash.digest('hex'),
  };
  return digest;
}
