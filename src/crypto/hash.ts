/**
 * SHA-256 (FIPS 180-4), HMAC-SHA256 (RFC 2104) and HKDF-SHA256 (RFC 5869). @noble/hashes is the
 * portable reference the token spec and the Merkle log are defined against (DESIGN §8).
 *
 * The two hot paths of tokenization, the keyed PRF (`KeyedHmacSha256`) and HKDF-Expand of a PRF
 * output (`hkdfExpandSha256`), run on OpenSSL's one-shot SHA-256 (node:crypto `hash`) instead:
 * measured here 3.9 µs per HMAC against 9.2 µs for noble's with a cloned key state and 14.5 µs
 * uncloned, which is most of a record's token cost. They compute the same functions; tests
 * cross-check them against noble on vectors and random inputs. `streamingSha256` also uses
 * node:crypto, for digests over whole batch files.
 */
import { createHash, hash as opensslHash } from 'node:crypto';
import { hkdf, expand, extract } from '@noble/hashes/hkdf.js';
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js';

export function sha256(data: Uint8Array): Uint8Array {
  return nobleSha256(data);
}

/**
 * The same SHA-256 over OpenSSL's one-shot digest, for the Merkle log's hot path (RFC 9162 leaf
 * and node hashes, 33-65 bytes): measured here about 2x noble's rate at 65 bytes, which is most
 * of an inclusion proof's verification cost. The RFC 6962 vectors in test/ledger pin it.
 */
export function sha256Fast(data: Uint8Array): Uint8Array {
  const digest = opensslHash('sha256', data, 'buffer');
  return new Uint8Array(digest.buffer, digest.byteOffset, digest.byteLength);
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

const BLOCK = 64;
const IPAD = 0x36;
const OPAD = 0x5c;

/** The RFC 2104 padded keys K⊕ipad and K⊕opad for a key of at most one block. */
function paddedKeys(key: Uint8Array): [Buffer, Buffer] {
  const k = key.length > BLOCK ? opensslHash('sha256', key, 'buffer') : key;
  const inner = Buffer.alloc(BLOCK, IPAD);
  const outer = Buffer.alloc(BLOCK, OPAD);
  for (let i = 0; i < k.length; i++) {
    inner[i] = IPAD ^ (k[i] ?? 0);
    outer[i] = OPAD ^ (k[i] ?? 0);
  }
  return [inner, outer];
}

/** RFC 2104: H((K⊕opad) ‖ H((K⊕ipad) ‖ m)) over OpenSSL's one-shot SHA-256. */
function opensslHmac(inner: Buffer, outer: Buffer, message: Uint8Array): Uint8Array {
  const innerHash = opensslHash('sha256', Buffer.concat([inner, message]), 'buffer');
  return new Uint8Array(opensslHash('sha256', Buffer.concat([outer, innerHash]), 'buffer'));
}

/**
 * RFC 5869 §2.3 HKDF-Expand. Throws RangeError when `prk` is shorter than 32 bytes or `length`
 * is outside 1..8160.
 */
export function hkdfExpandSha256(prk: Uint8Array, info: Uint8Array, length: number): Uint8Array {
  if (prk.length < 32) throw new RangeError('HKDF-Expand needs a PRK of at least 32 bytes');
  if (!Number.isInteger(length) || length < 1 || length > 255 * 32)
    throw new RangeError('HKDF-Expand length is 1..8160');
  if (length > 32) return expand(nobleSha256, prk, info, length);
  // One block: T(1) = HMAC(PRK, info ‖ 0x01), truncated.
  const [inner, outer] = paddedKeys(prk);
  const block = new Uint8Array(info.length + 1);
  block.set(info);
  block[info.length] = 1;
  return opensslHmac(inner, outer, block).subarray(0, length);
}

/** Messages up to this size are MACed in reusable buffers (tokens, identifiers, index keys). */
const SCRATCH_MESSAGE_BYTES = 64;

/**
 * HMAC-SHA256 under one fixed key, with the padded keys computed once. Used for PRFs evaluated
 * millions of times. Short messages go through two reusable blocks, K⊕ipad ‖ m and K⊕opad ‖ inner
 * hash, instead of two fresh concatenations per call (about 1.7x faster at ingest, which re-keys
 * every token); JS runs `mac` to completion, so no two calls share the blocks at once, and the
 * message bytes are wiped from the block before it returns.
 */
export class KeyedHmacSha256 {
  readonly #inner: Buffer;
  readonly #outer: Buffer;
  readonly #innerBlock: Buffer;
  readonly #outerBlock: Buffer;

  constructor(key: Uint8Array) {
    [this.#inner, this.#outer] = paddedKeys(key);
    this.#innerBlock = Buffer.alloc(BLOCK + SCRATCH_MESSAGE_BYTES);
    this.#inner.copy(this.#innerBlock);
    this.#outerBlock = Buffer.alloc(BLOCK + 32);
    this.#outer.copy(this.#outerBlock);
  }

  mac(message: Uint8Array): Uint8Array {
    if (message.length > SCRATCH_MESSAGE_BYTES) return opensslHmac(this.#inner, this.#outer, message);
    const end = BLOCK + message.length;
    this.#innerBlock.set(message, BLOCK);
    const innerHash = opensslHash('sha256', this.#innerBlock.subarray(0, end), 'buffer');
    this.#innerBlock.fill(0, BLOCK, end);
    innerHash.copy(this.#outerBlock, BLOCK);
    return new Uint8Array(opensslHash('sha256', this.#outerBlock, 'buffer'));
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
