/**
 * Replaying a page of leaves as whole subtrees (RFC 9162 §2.1.1): the leaves [start, start + n)
 * split into maximal aligned perfect subtrees (the nodes tree-nodes.ts addresses as (level,
 * index)), whose roots a page worker computes (page-facts.ts), so the main thread folds O(log n)
 * subtree roots onto its frontier per page instead of hashing every interior node itself. The
 * result is the same frontier `appendLeaves` reaches leaf by leaf (a test pins them together).
 * Index arithmetic is `%` and `*` on safe integers, never the 32-bit `>>`.
 */
import { HASH_SIZE, nodeHash, rootOfLeafHashes } from '../ledger/merkle.js';
import { frontierNodeIds } from '../ledger/tree-nodes.js';

/** Perfect subtrees in order: subtree k has `levels[k]` and root `hashes[32k … 32k + 32)`. */
export interface Subtrees {
  readonly levels: Uint8Array;
  readonly hashes: Uint8Array;
}

/** The maximal aligned perfect subtrees of leaves [start, start + count), packed in `leaves`. */
export function subtreesOf(start: number, leaves: Uint8Array, count: number): Subtrees {
  const levels: number[] = [];
  const roots: Uint8Array[] = [];
  const end = start + count;
  for (let pos = start; pos < end;) {
    let width = 1;
    while (pos % (width * 2) === 0 && pos + width * 2 <= end) width *= 2;
    const first = pos - start;
    const views = Array.from({ length: width }, (_, i) =>
      leaves.subarray((first + i) * HASH_SIZE, (first + i + 1) * HASH_SIZE),
    );
    levels.push(Math.log2(width));
    roots.push(rootOfLeafHashes(views));
    pos += width;
  }
  const hashes = new Uint8Array(roots.length * HASH_SIZE);
  roots.forEach((root, k) => hashes.set(root, k * HASH_SIZE));
  return { levels: Uint8Array.from(levels), hashes };
}

/**
 * The frontier after appending `subtrees`, each aligned at the size it is appended to, to a tree
 * of `size` with `frontier` (aligned with frontierNodeIds(size)). Throws RangeError when the
 * frontier does not fit the size or a subtree is not aligned.
 */
export function appendSubtrees(
  size: number,
  frontier: readonly Uint8Array[],
  subtrees: Subtrees,
): { size: number; frontier: Uint8Array[] } {
  const ids = frontierNodeIds(size);
  if (ids.length !== frontier.length) {
    throw new RangeError(`a tree of ${size} leaves has ${ids.length} frontier nodes, got ${frontier.length}`);
  }
  const levels = ids.map((id) => id.level);
  const hashes = [...frontier];
  let next = size;
  subtrees.levels.forEach((level, k) => {
    const width = 2 ** level;
    if (next % width !== 0) throw new RangeError(`a subtree of ${width} leaves is not aligned at ${next}`);
    levels.push(level);
    hashes.push(subtrees.hashes.subarray(k * HASH_SIZE, (k + 1) * HASH_SIZE));
    // Merge while the last two nodes are siblings (same level): a binary counter's carry.
    while (levels.length >= 2 && levels[levels.length - 1] === levels[levels.length - 2]) {
      const right = hashes.pop() as Uint8Array;
      const left = hashes.pop() as Uint8Array;
      levels.pop();
      levels.push((levels.pop() as number) + 1);
      hashes.push(nodeHash(left, right));
    }
    next += width;
  });
  return { size: next, frontier: hashes };
}
