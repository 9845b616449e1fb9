/**
 * Proof verification exactly as RFC 9162 §2.1.3.2 (inclusion) and §2.1.4.2 (consistency), in
 * BigInt so that sizes past 2^32 (where JS `>>` and `&` silently truncate) and up to 2^64 − 1 work.
 *
 * Contract (decided here): arguments a caller cannot get wrong without a bug — a size or index
 * that is not a non-negative integer ≤ 2^64 − 1 (TypeError / RangeError), a leaf hash or root that
 * is not 32 bytes (TypeError), a proof that is not an array of Uint8Array (TypeError) — throw.
 * Everything an untrusted log could claim returns `false`: index ≥ size, from > to, a proof
 * element of the wrong length, a path too short or too long, any hash mismatch.
 */
import { equalBytes } from '../util/bytes.js';
import { EMPTY_ROOT, HASH_SIZE, nodeHash } from './merkle.js';

const MAX_U64 = 2n ** 64n - 1n;

/** Checks a tree size or leaf index and converts it to BigInt. Throws TypeError / RangeError. */
export function toTreeBigInt(value: number | bigint, what: string): bigint {
  if (typeof value === 'number' && !Number.isSafeInteger(value)) {
    throw new TypeError(`${what} must be a safe integer or a bigint, got ${String(value)}`);
  }
  if (typeof value !== 'number' && typeof value !== 'bigint') throw new TypeError(`${what} must be a number`);
  const big = BigInt(value);
  if (big < 0n || big > MAX_U64) throw new RangeError(`${what} must be in [0, 2^64 - 1], got ${big}`);
  return big;
}

function checkHashArgument(hash: Uint8Array, what: string): void {
  if (!(hash instanceof Uint8Array) || hash.length !== HASH_SIZE) {
    throw new TypeError(`${what} must be a ${HASH_SIZE}-byte Uint8Array`);
  }
}

function checkProofArgument(proof: readonly Uint8Array[]): boolean {
  if (!Array.isArray(proof) || !proof.every((p) => p instanceof Uint8Array)) {
    throw new TypeError('proof must be an array of Uint8Array');
  }
  return proof.every((p) => p.length === HASH_SIZE);
}

/**
 * RFC 9162 §2.1.3.2. True iff `proof` shows the leaf with hash `leafHash` at `index` in the tree
 * of `size` leaves whose root is `root`. Throws TypeError / RangeError for malformed arguments.
 */
export function verifyInclusion(
  leafHash: Uint8Array,
  index: number | bigint,
  size: number | bigint,
  proof: readonly Uint8Array[],
  root: Uint8Array,
): boolean {
  let fn = toTreeBigInt(index, 'leaf index');
  const treeSize = toTreeBigInt(size, 'tree size');
  checkHashArgument(leafHash, 'leaf hash');
  checkHashArgument(root, 'root');
  if (!checkProofArgument(proof) || fn >= treeSize) return false;
  let sn = treeSize - 1n;
  let r = leafHash;
  for (const p of proof) {
    if (sn === 0n) return false;
    if ((fn & 1n) === 1n || fn === sn) {
      r = nodeHash(p, r);
      while ((fn & 1n) === 0n && fn !== 0n) {
        fn >>= 1n;
        sn >>= 1n;
      }
    } else {
      r = nodeHash(r, p);
    }
    fn >>= 1n;
    sn >>= 1n;
  }
  return sn === 0n && equalBytes(r, root);
}

/**
 * RFC 9162 §2.1.4.2, extended to the edge sizes the RFC leaves out: from = to holds iff the proof
 * is empty and the roots are equal; from = 0 holds iff the proof is empty and `fromRoot` is the
 * empty-tree root (any later tree extends the empty one). Throws TypeError / RangeError for
 * malformed arguments.
 */
export function verifyConsistency(
  from: number | bigint,
  to: number | bigint,
  proof: readonly Uint8Array[],
  fromRoot: Uint8Array,
  toRoot: Uint8Array,
): boolean {
  const first = toTreeBigInt(from, 'first tree size');
  const second = toTreeBigInt(to, 'second tree size');
  checkHashArgument(fromRoot, 'first root');
  checkHashArgument(toRoot, 'second root');
  if (!checkProofArgument(proof) || first > second) return false;
  if (first === second) return proof.length === 0 && equalBytes(fromRoot, toRoot);
  if (first === 0n) return proof.length === 0 && equalBytes(fromRoot, EMPTY_ROOT);
  // Step 1: an empty path proves nothing.
  if (proof.length === 0) return false;
  // Step 2: when `first` is a power of two the old root is itself the first path element.
  const path = (first & (first - 1n)) === 0n ? [fromRoot, ...proof] : proof;
  // Steps 3-4.
  let fn = first - 1n;
  let sn = second - 1n;
  while ((fn & 1n) === 1n) {
    fn >>= 1n;
    sn >>= 1n;
  }
  // Step 5.
  let fr = path[0] as Uint8Array;
  let sr = fr;
  // Step 6.
  for (const c of path.slice(1)) {
    if (sn === 0n) return false;
    if ((fn & 1n) === 1n || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      while ((fn & 1n) === 0n && fn !== 0n) {
        fn >>= 1n;
        sn >>= 1n;
      }
    } else {
      sr = nodeHash(sr, c);
    }
    fn >>= 1n;
    sn >>= 1n;
  }
  // Step 7.
  return sn === 0n && equalBytes(fr, fromRoot) && equalBytes(sr, toRoot);
}
