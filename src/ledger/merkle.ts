/**
 * RFC 9162 §2.1.1 (= RFC 6962 §2.1) Merkle Tree Hash over SHA-256: a leaf hashes as
 * SHA-256(0x00 ‖ entry), an interior node as SHA-256(0x01 ‖ left ‖ right), and the empty tree as
 * SHA-256(""). The split rule (largest power of two strictly below n) is what makes a tree of any
 * size interoperable; `rootOfLeafHashes` computes it bottom-up without recursion.
 */
import { sha256, sha256Fast } from '../crypto/hash.js';

export const HASH_SIZE = 32;

/** MTH({}) = SHA-256() (RFC 9162 §2.1.1). */
export const EMPTY_ROOT: Uint8Array = sha256(new Uint8Array(0));

/** MTH({d0}) = SHA-256(0x00 ‖ d0). */
export function leafHash(entry: Uint8Array): Uint8Array {
  const input = new Uint8Array(entry.length + 1);
  input[0] = 0x00;
  input.set(entry, 1);
  return sha256Fast(input);
}

/**
 * The input block of `nodeHash`, reused: hashing is synchronous, so no two calls share it at
 * once, and a fresh 65-byte array per node was a third of a proof verification's cost.
 */
const NODE_INPUT = new Uint8Array(1 + 2 * HASH_SIZE);
NODE_INPUT[0] = 0x01;

/** SHA-256(0x01 ‖ left ‖ right); both halves are 32-byte hashes (RangeError otherwise). */
export function nodeHash(left: Uint8Array, right: Uint8Array): Uint8Array {
  if (left.length !== HASH_SIZE || right.length !== HASH_SIZE) {
    throw new RangeError(`node hash inputs must be ${HASH_SIZE} bytes each`);
  }
  NODE_INPUT.set(left, 1);
  NODE_INPUT.set(right, 1 + HASH_SIZE);
  return sha256Fast(NODE_INPUT);
}

/**
 * Folds the roots of consecutive perfect subtrees (largest first) into the tree root: the last
 * two combine first, because the RFC tree's right edge is the only place incomplete subtrees hang.
 * Returns EMPTY_ROOT for no subtrees.
 */
export function foldFromRight(subtreeRoots: readonly Uint8Array[]): Uint8Array {
  let acc = subtreeRoots[subtreeRoots.length - 1];
  if (acc === undefined) return EMPTY_ROOT;
  for (let i = subtreeRoots.length - 2; i >= 0; i--) acc = nodeHash(subtreeRoots[i] as Uint8Array, acc);
  return acc;
}

/**
 * MTH(D[n]) from the leaf hashes, in O(n) time and O(log n) memory: a stack of perfect-subtree
 * roots that merges like a binary counter, then a fold from the right. Usable for millions of
 * leaves (no recursion, no copies of the input).
 */
export function rootOfLeafHashes(hashes: readonly Uint8Array[]): Uint8Array {
  const stack: Uint8Array[] = [];
  for (let i = 0; i < hashes.length; i++) {
    let hash = hashes[i] as Uint8Array;
    // Leaf i closes one perfect subtree per trailing 1-bit of i.
    for (let n = i; n % 2 === 1; n = Math.floor(n / 2)) hash = nodeHash(stack.pop() as Uint8Array, hash);
    stack.push(hash);
  }
  return foldFromRight(stack);
}
