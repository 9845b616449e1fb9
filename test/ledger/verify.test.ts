// RFC 9162 §2.1.3.2 / §2.1.4.2 verification: vectors, argument contract and tampering properties.
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { EMPTY_ROOT, leafHash } from '../../src/ledger/merkle.js';
import { MemoryTree } from '../../src/ledger/memory-tree.js';
import { planInclusionProof } from '../../src/ledger/proofs.js';
import { verifyConsistency, verifyInclusion } from '../../src/ledger/verify.js';
import { utf8 } from '../../src/util/bytes.js';
import { hex, loadVectors } from './vectors.js';
import type { MerkleVectors } from './vectors.js';

const vectors = loadVectors<MerkleVectors>('merkle-rfc6962.json');
const MAX = 200;
const leaves = Array.from({ length: MAX }, (_, i) => leafHash(utf8(`v${i}`)));
const tree = new MemoryTree();
tree.append(leaves);
const roots = Array.from({ length: MAX + 1 }, (_, n) => tree.root(n));

const flipBit = (proof: Uint8Array[], at: number, bit: number): Uint8Array[] =>
  proof.map((h, i) => (i === at ? h.map((b, j) => (j === bit >> 3 ? b ^ (1 << (bit & 7)) : b)) : h));

describe('ledger/verify (vectors)', () => {
  it('when the valid vectors are checked, then every one verifies', () => {
    for (const v of vectors.valid.inclusion) {
      assert.equal(verifyInclusion(hex(v.leafHash), v.index, v.size, v.proof.map(hex), hex(v.root)), true);
    }
    for (const v of vectors.valid.consistency) {
      assert.equal(verifyConsistency(v.from, v.to, v.proof.map(hex), hex(v.fromRoot), hex(v.toRoot)), true);
    }
  });

  it('when the invalid vectors are checked, then every one returns false', () => {
    for (const v of vectors.invalid.inclusion) {
      const ok = verifyInclusion(hex(v.leafHash), v.index, v.size, v.proof.map(hex), hex(v.root));
      assert.equal(ok, false, v.description);
    }
    for (const v of vectors.invalid.consistency) {
      const ok = verifyConsistency(v.from, v.to, v.proof.map(hex), hex(v.fromRoot), hex(v.toRoot));
      assert.equal(ok, false, v.description);
    }
  });

  it('when arguments are malformed, then verification throws instead of answering', () => {
    const ok = leaves[0]!;
    assert.throws(() => verifyInclusion(ok, 0.5, 1, [], ok), TypeError);
    assert.throws(() => verifyInclusion(ok, -1, 1, [], ok), RangeError);
    assert.throws(() => verifyInclusion(ok, 0, 2n ** 64n, [], ok), RangeError);
    assert.throws(() => verifyInclusion(ok, 0, 2 ** 60, [], ok), TypeError);
    assert.throws(() => verifyInclusion(new Uint8Array(31), 0, 1, [], ok), TypeError);
    assert.throws(() => verifyInclusion(ok, 0, 1, [], new Uint8Array(33)), TypeError);
    assert.throws(() => verifyInclusion(ok, 0, 1, ['x' as unknown as Uint8Array], ok), TypeError);
    assert.throws(() => verifyConsistency(1, 2, [], ok, new Uint8Array(0)), TypeError);
    assert.throws(() => verifyConsistency(Number.NaN, 2, [], ok, ok), TypeError);
  });

  it('when index ≥ size or from > to, then verification returns false (a log claim, not a caller bug)', () => {
    assert.equal(verifyInclusion(leaves[0]!, 1, 1, [], leaves[0]!), false);
    assert.equal(verifyConsistency(2, 1, [], roots[2]!, roots[1]!), false);
  });

  it('when sizes pass 2^53, then BigInt arithmetic still follows the RFC', () => {
    // A right-edge leaf of a 2^60 + 1 tree: its path is the single root of the left 2^60 subtree.
    const left = leafHash(utf8('left subtree stand-in'));
    const leaf = leaves[1]!;
    const size = 2n ** 60n + 1n;
    const root = new MemoryTree();
    root.append([left, leaf]);
    assert.equal(verifyInclusion(leaf, size - 1n, size, [left], root.root()), true);
    assert.equal(verifyInclusion(leaf, size - 2n, size, [left], root.root()), false);
  });

  it('when the empty tree is the first tree, then only the empty root with an empty proof is consistent', () => {
    assert.equal(verifyConsistency(0, 5, [], EMPTY_ROOT, roots[5]!), true);
    assert.equal(verifyConsistency(0, 0, [], EMPTY_ROOT, EMPTY_ROOT), true);
    assert.equal(verifyConsistency(0, 5, [roots[5]!], EMPTY_ROOT, roots[5]!), false);
  });
});

describe('ledger/verify (tampering properties)', () => {
  const inclusionCase = fc
    .integer({ min: 1, max: MAX })
    .chain((size) => fc.record({ size: fc.constant(size), index: fc.integer({ min: 0, max: size - 1 }) }));

  it('when any single bit of an inclusion path flips, then the proof is rejected', () => {
    fc.assert(
      fc.property(inclusionCase, fc.nat(), fc.integer({ min: 0, max: 255 }), ({ size, index }, at, bit) => {
        const proof = tree.inclusionProof(index, size);
        fc.pre(proof.length > 0);
        const bad = flipBit(proof, at % proof.length, bit);
        return !verifyInclusion(leaves[index]!, index, size, bad, roots[size]!);
      }),
    );
  });

  it('when the size, index, root, leaf or path length is wrong, then the inclusion proof is rejected', () => {
    fc.assert(
      fc.property(
        inclusionCase,
        fc.integer({ min: 1, max: MAX }),
        fc.integer({ min: 0, max: MAX }),
        (c, s2, i2) => {
          const { size, index } = c;
          const proof = tree.inclusionProof(index, size);
          const root = roots[size]!;
          const leaf = leaves[index]!;
          // A wrong size whose path has another length never verifies. (Sizes with the same path shape
          // can: the size is bound by the signed checkpoint, not by the path.)
          if (s2 !== size && (index >= s2 || planInclusionProof(index, s2).ranges.length !== proof.length)) {
            assert.equal(verifyInclusion(leaf, index, s2, proof, root), false);
          }
          if (i2 !== index) assert.equal(verifyInclusion(leaf, i2, size, proof, root), false);
          assert.equal(verifyInclusion(leaf, index, size, proof, roots[size - 1]!), false);
          assert.equal(verifyInclusion(leaves[(index + 1) % MAX]!, index, size, proof, root), false);
          assert.equal(verifyInclusion(leaf, index, size, [...proof, root], root), false);
          if (proof.length > 0) assert.equal(verifyInclusion(leaf, index, size, proof.slice(1), root), false);
          if (proof.length > 1) {
            const swapped = [proof[1]!, proof[0]!, ...proof.slice(2)];
            assert.equal(verifyInclusion(leaf, index, size, swapped, root), false);
          }
        },
      ),
    );
  });

  const consistencyCase = fc
    .integer({ min: 2, max: MAX })
    .chain((to) => fc.record({ to: fc.constant(to), from: fc.integer({ min: 1, max: to - 1 }) }));

  it('when any single bit of a consistency path flips, then the proof is rejected', () => {
    fc.assert(
      fc.property(consistencyCase, fc.nat(), fc.integer({ min: 0, max: 255 }), ({ from, to }, at, bit) => {
        const proof = tree.consistencyProof(from, to);
        const bad = flipBit(proof, at % proof.length, bit);
        return !verifyConsistency(from, to, bad, roots[from]!, roots[to]!);
      }),
    );
  });

  it('when sizes, roots or path length are wrong, then the consistency proof is rejected', () => {
    fc.assert(
      fc.property(consistencyCase, fc.integer({ min: 0, max: MAX }), ({ from, to }, other) => {
        const proof = tree.consistencyProof(from, to);
        const [r1, r2] = [roots[from]!, roots[to]!];
        assert.equal(verifyConsistency(from, to, proof, r2, r1), false);
        assert.equal(verifyConsistency(from, to, proof, roots[from - 1]!, r2), false);
        assert.equal(verifyConsistency(from, to, proof, r1, roots[to - 1]!), false);
        assert.equal(verifyConsistency(from, to, proof.slice(0, -1), r1, r2), false);
        assert.equal(verifyConsistency(from, to, [...proof, r2], r1, r2), false);
        assert.equal(verifyConsistency(from, to, [r1, ...proof], r1, r2), false);
        if (proof.length > 1) {
          assert.equal(verifyConsistency(from, to, [proof[1]!, proof[0]!, ...proof.slice(2)], r1, r2), false);
        }
        if (other !== from && other <= MAX) {
          assert.equal(verifyConsistency(other, to, proof, roots[other]!, r2), false);
        }
        if (other !== to && other >= from) {
          assert.equal(verifyConsistency(from, other, proof, r1, roots[other]!), false);
        }
      }),
    );
  });
});
