/**
 * Node addressing for an RFC 9162 §2.1 Merkle tree kept in a store: only *complete* (perfect)
 * subtrees are stored, each addressed (level, index) = the hash over leaves
 * [index·2^level, (index+1)·2^level). Level 0 nodes are the leaf hashes. Any range that the RFC
 * recursion visits, complete or not, is the fold-from-right of O(log n) stored nodes (see
 * `rangeNodeIds`), so proofs never need an incomplete node to be stored.
 *
 * Indexes are JS numbers: exact up to 2^53, and all arithmetic here is `*`, `/`, `Math.floor` and
 * `%` (never the 32-bit `>>` / `&`), so a tree past 2^32 leaves addresses correctly.
 */
import { HASH_SIZE, foldFromRight, nodeHash } from './merkle.js';

export interface NodeId {
  readonly level: number;
  readonly index: number;
}

export interface StoredNode extends NodeId {
  readonly hash: Uint8Array;
}

/** The largest tree size this module addresses exactly (every leaf index is a safe integer). */
export const MAX_ADDRESSABLE_SIZE = Number.MAX_SAFE_INTEGER;

/** Throws TypeError when `value` is not an integer and RangeError when it is negative or past 2^53. */
export function assertTreeInteger(value: number, what: string): void {
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    throw new TypeError(`${what} must be an integer, got ${String(value)}`);
  }
  if (value < 0 || value > MAX_ADDRESSABLE_SIZE) {
    throw new RangeError(`${what} must be in [0, 2^53 - 1], got ${value}`);
  }
}

/** A stable string for a node id, for maps and store keys: "level/index". */
export function nodeKey(id: NodeId): string {
  return `${id.level}/${id.index}`;
}

/**
 * The complete nodes whose fold-from-right is MTH(D[start:end]), largest first: one per set bit of
 * end − start. Correct for every range the RFC 9162 recursion visits (start is then a multiple of
 * the next power of two ≥ end − start). Throws RangeError for an empty or misaligned range.
 */
export function rangeNodeIds(start: number, end: number): NodeId[] {
  assertTreeInteger(start, 'range start');
  assertTreeInteger(end, 'range end');
  if (end <= start) throw new RangeError(`empty range [${start}, ${end})`);
  const ids: NodeId[] = [];
  let pos = start;
  let width = 2 ** Math.floor(Math.log2(end - start));
  // log2 of a large integer can round up; step back until width fits.
  while (width > end - start) width /= 2;
  for (let level = Math.log2(width); level >= 0; level--, width /= 2) {
    if (pos + width > end) continue;
    if (pos % width !== 0) throw new RangeError(`range [${start}, ${end}) is not aligned to the tree`);
    ids.push({ level, index: pos / width });
    pos += width;
  }
  return ids;
}

/** The frontier of a tree of `size` leaves: the perfect subtrees that compose it, left to right. */
export function frontierNodeIds(size: number): NodeId[] {
  return size === 0 ? [] : rangeNodeIds(0, size);
}

export interface AppendResult {
  /** Every complete node created by the append, leaves (level 0) included, to be stored. */
  readonly nodes: StoredNode[];
  /** Hashes of `frontierNodeIds(newSize)`, to be kept (or re-read) for the next append. */
  readonly frontier: Uint8Array[];
  readonly size: number;
  readonly root: Uint8Array;
}

/**
 * Appends leaf hashes to a tree of `size` leaves whose frontier hashes are `frontier` (aligned
 * with `frontierNodeIds(size)`). Pure: the caller stores `nodes` and the new size/root atomically.
 * Work is O(k + log n) for k leaves. Throws RangeError when the frontier does not fit `size` or a
 * hash is not 32 bytes, TypeError when `size` is not an integer.
 */
export function appendLeaves(
  size: number,
  frontier: readonly Uint8Array[],
  leafHashes: readonly Uint8Array[],
): AppendResult {
  const ids = frontierNodeIds(size);
  if (ids.length !== frontier.length) {
    throw new RangeError(`a tree of ${size} leaves has ${ids.length} frontier nodes, got ${frontier.length}`);
  }
  assertTreeInteger(size + leafHashes.length, 'new tree size');
  const stack: StoredNode[] = ids.map((id, i) => ({ ...id, hash: checkHash(frontier[i] as Uint8Array) }));
  const nodes: StoredNode[] = [];
  let next = size;
  for (const leaf of leafHashes) {
    let node: StoredNode = { level: 0, index: next, hash: checkHash(leaf) };
    nodes.push(node);
    // Merge while the top of the stack is this node's left sibling (same level).
    for (let top = stack[stack.length - 1]; top !== undefined && top.level === node.level;) {
      stack.pop();
      node = { level: node.level + 1, index: top.index / 2, hash: nodeHash(top.hash, node.hash) };
      nodes.push(node);
      top = stack[stack.length - 1];
    }
    stack.push(node);
    next++;
  }
  const newFrontier = stack.map((n) => n.hash);
  return { nodes, frontier: newFrontier, size: next, root: foldFromRight(newFrontier) };
}

function checkHash(hash: Uint8Array): Uint8Array {
  if (!(hash instanceof Uint8Array) || hash.length !== HASH_SIZE) {
    throw new RangeError(`a tree hash must be ${HASH_SIZE} bytes`);
  }
  return hash;
}
