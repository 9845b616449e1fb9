/**
 * The RFC 9497 §4.1 ciphersuite ristretto255-SHA512 below the protocol: the ristretto255 group and
 * its scalars mod L (RFC 9496) over libsodium (sodium.ts), Hash = SHA-512 over node:crypto, and the
 * suite's HashToGroup, HashToScalar (both through expand_message_xmd, RFC 9380 §5.3.1) and
 * RandomScalar (RFC 9497 §2.1).
 *
 * Elements and scalars stay in their 32-byte encodings: libsodium decodes and encodes them on every
 * call. The identity is the all-zero encoding (RFC 9496 §4.3.2). libsodium refuses to return it from
 * a multiplication (it throws), yet the DLEQ proof (RFC 9497 §2.2) can meet it in an intermediate
 * value (a zero s, an empty batch), so `mul` and `mulBase` return it instead; and libsodium's
 * decoder accepts it, so `isElement` refuses it itself, as RFC 9497 §3.3 demands of wire elements.
 */
import { hash } from 'node:crypto';
import { sodium } from './sodium.js';

/** Ne and Ns (RFC 9497 §4.1). */
export const ELEMENT_BYTES = 32;
export const SCALAR_BYTES = 32;
/** RandomScalar draws Ns + 16 bytes, so reducing them leaves a bias below 2^-128. */
const RANDOM_SCALAR_BYTES = 48;

/** L = 2^252 + 27742317777372353535851937790883648493 (RFC 9496 §4.1). */
const ORDER = 2n ** 252n + 27742317777372353535851937790883648493n;
const ORDER_LE = scalarToBytes(ORDER);
const ONE = scalarToBytes(1n);

function scalarToBytes(value: bigint): Uint8Array {
  return Uint8Array.from(Buffer.from(value.toString(16).padStart(2 * SCALAR_BYTES, '0'), 'hex').reverse());
}

/** I2OSP(n, 2) (RFC 8017 §4.1), the length and index prefix of RFC 9497's transcripts. */
export function i2osp2(n: number): Uint8Array {
  if (!Number.isSafeInteger(n) || n < 0 || n > 0xffff) throw new RangeError(`${n} does not fit in two bytes`);
  return Uint8Array.of(n >> 8, n & 0xff);
}

/** Hash = SHA-512. */
export function sha512(data: Uint8Array): Uint8Array {
  const digest = hash('sha512', data, 'buffer');
  return new Uint8Array(digest.buffer, digest.byteOffset, digest.byteLength);
}

const Z_PAD = new Uint8Array(128);
const XMD_LENGTH = i2osp2(64);

/**
 * expand_message_xmd(msg, DST, 64) with SHA-512 (RFC 9380 §5.3.1): 64 bytes is one SHA-512 digest
 * (ell = 1), so the output is b_1. Z_pad is one 128-byte SHA-512 block. DST is at most 255 bytes.
 */
function expandMessageXmd64(msg: Uint8Array, dst: Uint8Array): Uint8Array {
  if (dst.length > 255) throw new RangeError('DST must be at most 255 bytes');
  const dstPrime = Buffer.concat([dst, Uint8Array.of(dst.length)]);
  const b0 = sha512(Buffer.concat([Z_PAD, msg, XMD_LENGTH, Uint8Array.of(0), dstPrime]));
  return sha512(Buffer.concat([b0, Uint8Array.of(1), dstPrime]));
}

/**
 * HashToGroup: the RFC 9496 §4.3.4 one-way map of 64 uniform bytes. Can return the identity.
 * (libsodium.js does not check the length it is given here: it always reads 64 bytes.)
 */
export function hashToGroup(msg: Uint8Array, dst: Uint8Array): Uint8Array {
  return sodium.crypto_core_ristretto255_from_hash(expandMessageXmd64(msg, dst));
}

/** HashToScalar: 64 uniform bytes reduced mod L. Can return zero. */
export function hashToScalar(msg: Uint8Array, dst: Uint8Array): Uint8Array {
  return sodium.crypto_core_ristretto255_scalar_reduce(expandMessageXmd64(msg, dst));
}

/**
 * RandomScalar: a scalar in [1, L-1] from 48 bytes of `random`, read little-endian and mapped as
 * x mod (L-1) + 1 (FIPS 186-5 A.2.1, as noble's mapHashToField does: the tests replay RFC 9497
 * Appendix A by handing over blind-1). BigInt division is not constant-time; the value it works on
 * is fresh randomness used once. Throws TypeError unless `random` returns 48 bytes.
 */
export function randomScalar(random: (length: number) => Uint8Array): Uint8Array {
  const bytes = random(RANDOM_SCALAR_BYTES);
  if (!(bytes instanceof Uint8Array) || bytes.length !== RANDOM_SCALAR_BYTES) {
    throw new TypeError(`the random source must return ${RANDOM_SCALAR_BYTES} bytes`);
  }
  const x = BigInt(`0x${Buffer.from(bytes).reverse().toString('hex')}`);
  return scalarToBytes((x % (ORDER - 1n)) + 1n);
}

/** True when `bytes` is a canonical encoding (RFC 9496 §4.3.1) of an element other than the identity. */
export function isElement(bytes: unknown): bytes is Uint8Array {
  return (
    bytes instanceof Uint8Array &&
    bytes.length === ELEMENT_BYTES &&
    !sodium.is_zero(bytes) &&
    sodium.crypto_core_ristretto255_is_valid_point(bytes)
  );
}

/** True when `bytes` is a canonical scalar: 32 bytes, little-endian, below L (constant-time compare). */
export function isScalar(bytes: unknown): bytes is Uint8Array {
  return bytes instanceof Uint8Array && bytes.length === SCALAR_BYTES && sodium.compare(bytes, ORDER_LE) < 0;
}

export function isZero(bytes: Uint8Array): boolean {
  return sodium.is_zero(bytes);
}

function identity(): Uint8Array {
  return new Uint8Array(ELEMENT_BYTES);
}

/** scalar·element, for a canonical scalar and a valid element or the identity. */
export function mul(scalar: Uint8Array, element: Uint8Array): Uint8Array {
  if (sodium.is_zero(scalar) || sodium.is_zero(element)) return identity();
  return sodium.crypto_scalarmult_ristretto255(scalar, element);
}

/** scalar·G for the generator G of RFC 9496 §4.4. */
export function mulBase(scalar: Uint8Array): Uint8Array {
  if (sodium.is_zero(scalar)) return identity();
  return sodium.crypto_scalarmult_ristretto255_base(scalar);
}

/** The sum of valid elements (the identity for none). */
export function sum(elements: readonly Uint8Array[]): Uint8Array {
  let total = identity();
  for (const element of elements) total = sodium.crypto_core_ristretto255_add(total, element);
  return total;
}

export function scalarMul(a: Uint8Array, b: Uint8Array): Uint8Array {
  return sodium.crypto_core_ristretto255_scalar_mul(a, b);
}

export function scalarSub(a: Uint8Array, b: Uint8Array): Uint8Array {
  return sodium.crypto_core_ristretto255_scalar_sub(a, b);
}

/**
 * The inverses of nonzero scalars by Montgomery's trick: one inversion (~40 µs in libsodium) and
 * 3(n-1) multiplications (~1 µs) instead of n inversions. Throws (libsodium) if any scalar is zero.
 */
export function invertAll(scalars: readonly Uint8Array[]): Uint8Array[] {
  const prefixes: Uint8Array[] = [];
  let product = ONE;
  for (const scalar of scalars) {
    prefixes.push(product);
    product = scalarMul(product, scalar);
  }
  let inverse = sodium.crypto_core_ristretto255_scalar_invert(product);
  const inverses = new Array<Uint8Array>(scalars.length);
  for (let i = scalars.length - 1; i >= 0; i--) {
    inverses[i] = scalarMul(inverse, prefixes[i] as Uint8Array);
    inverse = scalarMul(inverse, scalars[i] as Uint8Array);
  }
  return inverses;
}
