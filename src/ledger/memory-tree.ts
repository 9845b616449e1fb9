/**
 * An in-memory RFC 9162 §2.1 log tree over the same node addressing as the Redis store
 * (tree-nodes.ts): one array of complete-node hashes per level. Used by tests, benchmarks and
 * auditors replaying a log; proofs go through the same plan/assemble path as the store does.
 */
import { foldFromRight } from './merkle.js';
import { assembleProof, planConsistencyProof, planInclusionProof, planRoot } from './proofs.js';
import type { NodeReader, ProofPlan } from './proofs.js';
import { appendLeaves, frontierNodeIds } from './tree-nodes.js';
import type { NodeId } from './tree-nodes.js';

export class MemoryTree implements NodeReader {
  readonly #levels: Uint8Array[][] = [];
  #size = 0;

  get size(): number {
    return this.#size;
  }

  /** Appends leaf hashes and returns the new root. Throws RangeError for a hash not 32 bytes. */
  append(leafHashes: readonly Uint8Array[]): Uint8Array {
    const result = appendLeaves(this.#size, this.nodes(frontierNodeIds(this.#size)), leafHashes);
    for (const node of result.nodes) {
      const level = this.#levels[node.level] ?? (this.#levels[node.level] = []);
      level[node.index] = node.hash;
    }
    this.#size = result.size;
    return result.root;
  }

  /** Hashes of stored complete nodes. Throws RangeError for a node that is not stored. */
  nodes(ids: readonly NodeId[]): Uint8Array[] {
    return ids.map(({ level, index }) => {
      const hash = this.#levels[level]?.[index];
      if (hash === undefined) throw new RangeError(`node (${level}, ${index}) is not stored`);
      return hash;
    });
  }

  readNodes(ids: readonly NodeId[]): Promise<Uint8Array[]> {
    return Promise.resolve(this.nodes(ids));
  }

  /** MTH at an earlier or current size. Throws RangeError past the current size. */
  root(size: number = this.#size): Uint8Array {
    return foldFromRight(this.nodes(this.#within(planRoot(size), size).nodeIds));
  }

  /** PATH(index, D[size]). Throws RangeError unless index < size ≤ current size. */
  inclusionProof(index: number, size: number = this.#size): Uint8Array[] {
    const plan = this.#within(planInclusionProof(index, size), size);
    return assembleProof(plan, this.nodes(plan.nodeIds));
  }

  /** PROOF(from, D[to]). Throws RangeError unless from ≤ to ≤ current size. */
  consistencyProof(from: number, to: number = this.#size): Uint8Array[] {
    const plan = this.#within(planConsistencyProof(from, to), to);
    return assembleProof(plan, this.nodes(plan.nodeIds));
  }

  #within(plan: ProofPlan, size: number): ProofPlan {
    if (size > this.#size) throw new RangeError(`tree size ${size} exceeds the log's ${this.#size} leaves`);
    return plan;
  }
}
