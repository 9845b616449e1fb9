/**
 * Randomness from the OS CSPRNG through node:crypto. Small requests are served from a pooled
 * buffer: one getrandom call per 64 KiB instead of one per nonce, which matters at 100k records/s.
 * Each returned array is a fresh copy, so no two callers ever share bytes.
 */
import { randomBytes as osRandomBytes, randomUUID } from 'node:crypto';

const POOL_SIZE = 64 * 1024;
let pool = osRandomBytes(POOL_SIZE);
let offset = 0;

export function randomBytes(length: number): Uint8Array {
  if (!Number.isSafeInteger(length) || length < 0) throw new RangeError('length must be a natural number');
  if (length > POOL_SIZE / 4) return new Uint8Array(osRandomBytes(length));
  if (offset + length > POOL_SIZE) {
    pool = osRandomBytes(POOL_SIZE);
    offset = 0;
  }
  const out = new Uint8Array(pool.subarray(offset, offset + length));
  pool.fill(0, offset, offset + length);
  offset += length;
  return out;
}

/** A random RFC 9562 version-4 UUID, for batch, job and consent ids. */
export function randomId(): string {
  return randomUUID();
}
