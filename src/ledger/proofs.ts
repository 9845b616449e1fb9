/**
 * RFC 9162 §2.1.3.1 (PATH, inclusion) and §2.1.4.1 (PROOF/SUBPROOF, consistency) over a node
 * store. Each proof element is MTH of a leaf range; `plan…` functions list those ranges and the
 * complete nodes (tree-nodes.ts) they fold from, so a store answers a whole proof with ONE batched
 * read; `assembleProof` then folds them. At most one element per proof is an incomplete range (the
 * recursion only meets one after stepping left, below which every subtree is perfect), so a proof
 * costs O(log n) node reads. The recursions are unrolled top-down and reversed, since the RFC emits
 * the deepest element first.
 */
import { foldFromRight } from './merkle.js';
import { assertTreeInteger, rangeNodeIds } from './tree-nodes.js';
import type { NodeId } from './tree-nodes.js';

export interface LeafRange {
  readonly start: number;
  readonly end: number;
}

export interface ProofPlan {
  /** One range per proof element, in proof order. */
  readonly ranges: readonly LeafRange[];
  /** Every complete node to fetch, range by range, in order (fetch them in one batch). */
  readonly nodeIds: readonly NodeId[];
  /** How many of `nodeIds` belong to each range. */
  readonly counts: readonly number[];
}

/** Node reads for proofs: one call per proof; hashes come back aligned with `ids`. */
export interface NodeReader {
  readNodes(ids: readonly NodeId[]): Promise<Uint8Array[]>;
}

function planOf(ranges: LeafRange[]): ProofPlan {
  const nodeIds: NodeId[] = [];
  const counts: number[] = [];
  for (const { start, end } of ranges) {
    const ids = rangeNodeIds(start, end);
    nodeIds.push(...ids);
    counts.push(ids.length);
  }
  return { ranges, nodeIds, counts };
}

/**
 * PATH(index, D[size]). Throws TypeError for non-integers and RangeError unless 0 ≤ index < size.
 */
export function planInclusionProof(index: number, size: number): ProofPlan {
  assertTreeInteger(index, 'leaf index');
  assertTreeInteger(size, 'tree size');
  if (index >= size) throw new RangeError(`leaf index ${index} is not below tree size ${size}`);
  const siblings: LeafRange[] = [];
  let start = 0;
  let n = size;
  let m = index;
  while (n > 1) {
    const k = largestPowerOfTwoBelow(n);
    if (m < k) {
      siblings.push({ start: start + k, end: start + n });
      n = k;
    } else {
      siblings.push({ start, end: start + k });
      start += k;
      m -= k;
      n -= k;
    }
  }
  return planOf(siblings.reverse());
}

/**
 * PROOF(from, D[to]) = SUBPROOF(from, D[to], true); empty when from = 0 or from = to.
 * Throws TypeError for non-integers and RangeError when from > to.
 */
export function planConsistencyProof(from: number, to: number): ProofPlan {
  assertTreeInteger(from, 'first tree size');
  assertTreeInteger(to, 'second tree size');
  if (from > to) throw new RangeError(`first tree size ${from} exceeds second tree size ${to}`);
  if (from === 0 || from === to) return planOf([]);
  const items: LeafRange[] = [];
  let start = 0;
  let n = to;
  let m = from;
  let wholeSubtreeKnown = true; // the RFC's `b`: the verifier already holds MTH(D[start:start+m])
  while (m !== n) {
    const k = largestPowerOfTwoBelow(n);
    if (m <= k) {
      items.push({ start: start + k, end: start + n });
      n = k;
    } else {
      items.push({ start, end: start + k });
      start += k;
      m -= k;
      n -= k;
      wholeSubtreeKnown = false;
    }
  }
  if (!wholeSubtreeKnown) items.push({ start, end: start + n });
  return planOf(items.reverse());
}

/** MTH(D[size]) as a plan with one range (none for the empty tree). */
export function planRoot(size: number): ProofPlan {
  assertTreeInteger(size, 'tree size');
  return planOf(size === 0 ? [] : [{ start: 0, end: size }]);
}

/**
 * Folds fetched node hashes (aligned with `plan.nodeIds`) into the proof's hashes.
 * Throws RangeError when the number of hashes does not match the plan.
 */
export function assembleProof(plan: ProofPlan, fetched: readonly Uint8Array[]): Uint8Array[] {
  if (fetched.length !== plan.nodeIds.length) {
    throw new RangeError(`the plan needs ${plan.nodeIds.length} node hashes, got ${fetched.length}`);
  }
  const proof: Uint8Array[] = [];
  let offset = 0;
  for (const count of plan.counts) {
    proof.push(foldFromRight(fetched.slice(offset, offset + count)));
    offset += count;
  }
  return proof;
}

/** Inclusion proof read from a store in one batch. Throws as `planInclusionProof` and the reader. */
export async function proveInclusion(reader: NodeReader, index: number, size: number): Promise<Uint8Array[]> {
  const plan = planInclusionProof(index, size);
  return assembleProof(plan, await reader.readNodes(plan.nodeIds));
}

/** Consistency proof read from a store in one batch. Throws as `planConsistencyProof` and the reader. */
export async function proveConsistency(reader: NodeReader, from: number, to: number): Promise<Uint8Array[]> {
  const plan = planConsistencyProof(from, to);
  return assembleProof(plan, await reader.readNodes(plan.nodeIds));
}

/** Root of the tree at `size` read from a store in one batch (EMPTY_ROOT for size 0). */
export async function readRoot(reader: NodeReader, size: number): Promise<Uint8Array> {
  const plan = planRoot(size);
  return foldFromRight(await reader.readNodes(plan.nodeIds));
}

/** The RFC's k: the largest power of two strictly below n (n > 1). */
export function largestPowerOfTwoBelow(n: number): number {
  let k = 2 ** Math.floor(Math.log2(n - 1));
  while (k >= n) k /= 2; // guard against log2 rounding up near 2^53
  while (k * 2 < n) k *= 2;
  return k;
}
