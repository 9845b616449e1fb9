/**
 * Replaying the log (RFC 9162 §2.1.1): the auditor recomputes the leaf hash of every entry it
 * fetched and folds them onto the frontier it kept, so the root it gets is its own, never the
 * broker's. When that root differs from the signed one, `firstBadIndex` names the first entry
 * that differs: the prefixes that ARE in the signed tree are exactly those whose recomputed root
 * the broker can prove consistent with the checkpoint (§2.1.4.2), and that property is monotone,
 * so a binary search over prefix sizes finds the first bad entry in O(log n) proofs.
 */
import { sha256Fast } from '../crypto/hash.js';
import { HASH_SIZE } from '../ledger/merkle.js';
import { appendLeaves, frontierNodeIds } from '../ledger/tree-nodes.js';
import { verifyConsistency } from '../ledger/verify.js';
import type { LogSource } from './source.js';

/**
 * RFC 9162 §2.1.1 leaf hash of an entry text, SHA-256(0x00 ‖ UTF-8(text)): the same value as
 * ledger/entry.ts `entryLeafHash` (a test pins them together), written into one buffer.
 */
export function leafHashOfText(text: string): Uint8Array {
  const buffer = Buffer.allocUnsafe(1 + Buffer.byteLength(text, 'utf8'));
  buffer[0] = 0x00;
  buffer.write(text, 1, 'utf8');
  return sha256Fast(buffer);
}

/** Leaf hashes packed end to end, growable. */
export class LeafHashes {
  #bytes = new Uint8Array(1024 * HASH_SIZE);
  #count = 0;

  get count(): number {
    return this.#count;
  }

  /** Appends hashes packed end to end (one hash is 32 bytes). */
  push(hashes: Uint8Array): void {
    let length = this.#bytes.length;
    while (this.#count * HASH_SIZE + hashes.length > length) length *= 2;
    if (length > this.#bytes.length) {
      const grown = new Uint8Array(length);
      grown.set(this.#bytes);
      this.#bytes = grown;
    }
    this.#bytes.set(hashes, this.#count * HASH_SIZE);
    this.#count += hashes.length / HASH_SIZE;
  }

  /** The first `n` hashes as views (no copy). */
  slice(n: number): Uint8Array[] {
    return hashViews(this.#bytes.subarray(0, n * HASH_SIZE));
  }
}

/** Hashes packed end to end, as one view each (no copy). */
export function hashViews(packed: Uint8Array): Uint8Array[] {
  return Array.from({ length: packed.length / HASH_SIZE }, (_, i) =>
    packed.subarray(i * HASH_SIZE, (i + 1) * HASH_SIZE),
  );
}

export interface Tree {
  size: number;
  frontier: Uint8Array[];
  root: Uint8Array;
}

/**
 * The tree after appending `leaves` to a tree of `size` with `frontier`. Throws RangeError when
 * the frontier does not fit the size (a damaged state file).
 */
export function extendTree(
  size: number,
  frontier: readonly Uint8Array[],
  leaves: readonly Uint8Array[],
): Tree {
  const result = appendLeaves(size, frontier, leaves);
  return { size: result.size, frontier: result.frontier, root: result.root };
}

/** True when the frontier has the shape a tree of `size` needs. */
export function frontierFits(size: number, frontier: readonly Uint8Array[]): boolean {
  return frontierNodeIds(size).length === frontier.length;
}

/**
 * The index of the first replayed entry that is not the signed tree's, searching prefixes
 * (base.size, base.size + leaves.count]; `base` is trusted (consistent with the checkpoint).
 * Returns base.size + leaves.count when every replayed prefix is consistent (the difference is
 * past what was replayed). Throws what the source throws.
 */
export async function firstBadIndex(
  source: LogSource,
  base: { size: number; frontier: Uint8Array[] },
  leaves: LeafHashes,
  signed: { size: number; root: Uint8Array },
): Promise<number> {
  const all = leaves.slice(leaves.count);
  const consistent = async (m: number): Promise<boolean> => {
    const tree = extendTree(base.size, base.frontier, all.slice(0, m - base.size));
    if (m === 0) return true;
    let proof: Uint8Array[];
    try {
      proof = await source.consistency(m, signed.size);
    } catch {
      return false;
    }
    return verifyConsistency(m, signed.size, proof, tree.root, signed.root);
  };
  let good = base.size;
  let bad = base.size + leaves.count + 1;
  while (bad - good > 1) {
    const mid = good + Math.floor((bad - good) / 2);
    if (await consistent(mid)) good = mid;
    else bad = mid;
  }
  return good;
}
