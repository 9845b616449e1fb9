// RFC 9162 §2.1.3.1 / §2.1.4.1 proofs from the node store against a naive recursive reference.
import assert from 'node:assert/strict';
import { leafHash } from '../../src/ledger/merkle.js';
import { MemoryTree } from '../../src/ledger/memory-tree.js';
import {
  assembleProof,
  largestPowerOfTwoBelow,
  planConsistencyProof,
  planInclusionProof,
  proveConsistency,
  proveInclusion,
  readRoot,
} from '../../src/ledger/proofs.js';
import { verifyConsistency, verifyInclusion } from '../../src/ledger/verify.js';
import { toHex, utf8 } from '../../src/util/bytes.js';
import { refConsistency, refPath, refRoot } from './reference.js';
import { hex, loadVectors } from './vectors.js';
import type { MerkleVectors } from './vectors.js';

const vectors = loadVectors<MerkleVectors>('merkle-rfc6962.json');
const MAX = 64;
const leaves = Array.from({ length: MAX }, (_, i) => leafHash(utf8(`leaf ${i}`)));
const tree = new MemoryTree();
tree.append(leaves);

describe('ledger/proofs (node-store path vs. RFC 9162 reference)', () => {
  it('when the reference vectors are asked for, then the node store reproduces them', () => {
    const ct = new MemoryTree();
    ct.append(vectors.leaves.map((l) => leafHash(hex(l))));
    for (const v of vectors.valid.inclusion) {
      assert.deepEqual(
        ct.inclusionProof(v.index, v.size).map(toHex),
        v.proof,
        `inclusion ${v.index}/${v.size}`,
      );
    }
    for (const v of vectors.valid.consistency) {
      assert.deepEqual(
        ct.consistencyProof(v.from, v.to).map(toHex),
        v.proof,
        `consistency ${v.from}->${v.to}`,
      );
    }
  });

  it('when every size 1..64 is proven at every index, then proofs equal PATH and verify', () => {
    let count = 0;
    for (let size = 1; size <= MAX; size++) {
      const prefix = leaves.slice(0, size);
      const root = tree.root(size);
      assert.deepEqual(root, refRoot(prefix));
      for (let index = 0; index < size; index++) {
        const proof = tree.inclusionProof(index, size);
        assert.deepEqual(proof, refPath(index, prefix), `PATH(${index}, D[${size}])`);
        assert.equal(verifyInclusion(leaves[index]!, index, size, proof, root), true);
        count++;
      }
    }
    assert.equal(count, (MAX * (MAX + 1)) / 2);
  });

  it('when every pair from ≤ to ≤ 64 is proven, then proofs equal PROOF and verify', () => {
    for (let to = 1; to <= MAX; to++) {
      const prefix = leaves.slice(0, to);
      for (let from = 0; from <= to; from++) {
        const proof = tree.consistencyProof(from, to);
        assert.deepEqual(proof, refConsistency(from, prefix), `PROOF(${from}, D[${to}])`);
        assert.equal(
          verifyConsistency(from, to, proof, tree.root(from), tree.root(to)),
          true,
          `${from}->${to}`,
        );
      }
    }
  });

  it('when proofs are read through a NodeReader, then one batched read serves each proof', async () => {
    const reads: number[] = [];
    const reader = {
      readNodes: (ids: Parameters<MemoryTree['readNodes']>[0]) => (
        reads.push(ids.length),
        tree.readNodes(ids)
      ),
    };
    assert.deepEqual(await proveInclusion(reader, 37, 61), refPath(37, leaves.slice(0, 61)));
    assert.deepEqual(await proveConsistency(reader, 23, 61), refConsistency(23, leaves.slice(0, 61)));
    assert.deepEqual(await readRoot(reader, 61), refRoot(leaves.slice(0, 61)));
    assert.equal(reads.length, 3);
  });

  it('when a proof is planned for a large tree, then it reads O(log n) nodes', () => {
    for (const size of [2 ** 20 - 1, 2 ** 20 + 1, 1_000_000, 2 ** 40 + 12345]) {
      const depth = Math.ceil(Math.log2(size));
      for (const index of [0, 1, Math.floor(size / 3), size - 2, size - 1]) {
        assert.ok(planInclusionProof(index, size).nodeIds.length <= 2 * depth, `inclusion ${index}/${size}`);
      }
      for (const from of [1, 2, Math.floor(size / 3), size - 1]) {
        assert.ok(
          planConsistencyProof(from, size).nodeIds.length <= 2 * depth + 1,
          `consistency ${from}/${size}`,
        );
      }
    }
  });

  it('when the index lies near 2^33, then planned node ids are exact (no 32-bit truncation)', () => {
    const size = 2 ** 33 + 5;
    const plan = planInclusionProof(2 ** 33 + 1, size);
    // Leaf 2^33+1: sibling leaf 2^33, then [2^33+2, 2^33+4) = node (1, 2^32+1), then leaf 2^33+4,
    // then the perfect left subtree [0, 2^33) = node (33, 0).
    assert.deepEqual(plan.ranges, [
      { start: 2 ** 33, end: 2 ** 33 + 1 },
      { start: 2 ** 33 + 2, end: 2 ** 33 + 4 },
      { start: 2 ** 33 + 4, end: size },
      { start: 0, end: 2 ** 33 },
    ]);
    assert.deepEqual(plan.nodeIds, [
      { level: 0, index: 2 ** 33 },
      { level: 1, index: 2 ** 32 + 1 },
      { level: 0, index: 2 ** 33 + 4 },
      { level: 33, index: 0 },
    ]);
    assert.equal(largestPowerOfTwoBelow(2 ** 33 + 5), 2 ** 33);
    assert.equal(largestPowerOfTwoBelow(2 ** 33), 2 ** 32);
    assert.equal(largestPowerOfTwoBelow(Number.MAX_SAFE_INTEGER), 2 ** 52);
  });

  it('when arguments are out of range, then planning throws RangeError or TypeError', () => {
    assert.throws(() => planInclusionProof(5, 5), RangeError);
    assert.throws(() => planInclusionProof(-1, 5), RangeError);
    assert.throws(() => planInclusionProof(0.5, 5), TypeError);
    assert.throws(() => planConsistencyProof(6, 5), RangeError);
    assert.throws(() => tree.inclusionProof(0, MAX + 1), RangeError);
    assert.throws(() => assembleProof(planInclusionProof(0, 8), []), RangeError);
  });
});
