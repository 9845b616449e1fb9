// RFC 9162 §2.1.1 / RFC 6962 §2.1 hashing and node-store appends against the reference vectors.
import assert from 'node:assert/strict';
import { EMPTY_ROOT, leafHash, nodeHash, rootOfLeafHashes } from '../../src/ledger/merkle.js';
import { MemoryTree } from '../../src/ledger/memory-tree.js';
import { appendLeaves, frontierNodeIds, nodeKey, rangeNodeIds } from '../../src/ledger/tree-nodes.js';
import { toHex, utf8 } from '../../src/util/bytes.js';
import { refRoot } from './reference.js';
import { hex, loadVectors } from './vectors.js';
import type { MerkleVectors } from './vectors.js';

const vectors = loadVectors<MerkleVectors>('merkle-rfc6962.json');
const leafHashes = vectors.leaves.map((l) => leafHash(hex(l)));
const synthetic = (n: number): Uint8Array[] =>
  Array.from({ length: n }, (_, i) => leafHash(utf8(`entry ${i}`)));

describe('ledger/merkle (RFC 6962 known answers)', () => {
  it('when the tree is empty, then its root is SHA-256 of the empty string', () => {
    assert.equal(toHex(EMPTY_ROOT), 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    assert.equal(toHex(rootOfLeafHashes([])), vectors.roots[0]);
  });

  it('when hashing the empty entry, then the leaf hash is SHA-256(0x00)', () => {
    assert.equal(
      toHex(leafHash(new Uint8Array(0))),
      '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
    );
  });

  it('when hashing two leaves, then the node prefix is 0x01', () => {
    assert.equal(toHex(nodeHash(leafHashes[0]!, leafHashes[1]!)), vectors.roots[2]);
  });

  it('when the reference leaves are added one size at a time, then every root 0..8 matches', () => {
    const tree = new MemoryTree();
    assert.equal(toHex(tree.root()), vectors.roots[0]);
    for (let n = 1; n <= leafHashes.length; n++) {
      assert.equal(toHex(rootOfLeafHashes(leafHashes.slice(0, n))), vectors.roots[n], `MTH size ${n}`);
      assert.equal(toHex(tree.append([leafHashes[n - 1]!])), vectors.roots[n], `append size ${n}`);
    }
    for (let n = 0; n <= leafHashes.length; n++) assert.equal(toHex(tree.root(n)), vectors.roots[n]);
  });

  it('when computing MTH iteratively for sizes 0..130, then it equals the recursive definition', () => {
    const all = synthetic(130);
    for (let n = 0; n <= all.length; n++)
      assert.deepEqual(rootOfLeafHashes(all.slice(0, n)), refRoot(all.slice(0, n)));
  });

  // 1,000,000 leaves run in the benchmark; 20,003 keeps the suite fast and still spans 15 levels.
  it('when MTH runs over 20,003 leaves, then it finishes without recursion and matches the node store', () => {
    const many = Array.from({ length: 20_003 }, (_, i) => {
      const h = new Uint8Array(32);
      new DataView(h.buffer).setUint32(0, i);
      return h;
    });
    const tree = new MemoryTree();
    tree.append(many);
    assert.deepEqual(rootOfLeafHashes(many), tree.root());
  });
});

describe('ledger/tree-nodes (append and addressing)', () => {
  it('when leaves arrive in batches of any split, then stored nodes, frontier and root agree', () => {
    const all = synthetic(70);
    for (const batch of [1, 2, 3, 7, 16, 70]) {
      let size = 0;
      let frontier: Uint8Array[] = [];
      const stored = new Map<string, Uint8Array>();
      for (let i = 0; i < all.length; i += batch) {
        const result = appendLeaves(size, frontier, all.slice(i, i + batch));
        for (const node of result.nodes) stored.set(nodeKey(node), node.hash);
        ({ size, frontier } = result);
        assert.deepEqual(result.root, refRoot(all.slice(0, size)), `batch ${batch} size ${size}`);
        assert.deepEqual(
          frontierNodeIds(size).map((id) => stored.get(nodeKey(id))),
          frontier,
          `frontier at ${size}`,
        );
      }
      // Every complete subtree of the final tree is stored exactly once with the right hash.
      for (let level = 0; 2 ** level <= all.length; level++) {
        for (let index = 0; (index + 1) * 2 ** level <= all.length; index++) {
          const expected = refRoot(all.slice(index * 2 ** level, (index + 1) * 2 ** level));
          assert.deepEqual(stored.get(nodeKey({ level, index })), expected, `node ${level}/${index}`);
        }
      }
    }
  });

  it('when the frontier does not match the size, then append throws RangeError', () => {
    assert.throws(() => appendLeaves(3, [EMPTY_ROOT], []), RangeError);
    assert.throws(() => appendLeaves(1, [new Uint8Array(31)], []), RangeError);
    assert.throws(() => appendLeaves(0, [], [new Uint8Array(33)]), RangeError);
    assert.throws(() => appendLeaves(1.5, [], []), TypeError);
  });

  it('when decomposing a range, then the nodes cover it left to right with one node per set bit', () => {
    assert.deepEqual(rangeNodeIds(0, 13), [
      { level: 3, index: 0 },
      { level: 2, index: 2 },
      { level: 0, index: 12 },
    ]);
    assert.deepEqual(rangeNodeIds(8, 11), [
      { level: 1, index: 4 },
      { level: 0, index: 10 },
    ]);
    assert.throws(() => rangeNodeIds(3, 7), RangeError);
    assert.throws(() => rangeNodeIds(4, 4), RangeError);
  });

  it('when a range lies past 2^33, then node indexes are exact (no 32-bit truncation)', () => {
    const base = 2 ** 33;
    assert.deepEqual(rangeNodeIds(base, base + 5), [
      { level: 2, index: 2 ** 31 },
      { level: 0, index: base + 4 },
    ]);
    const top = 2 ** 40 + 2 ** 33 + 3;
    assert.deepEqual(frontierNodeIds(top), [
      { level: 40, index: 0 },
      { level: 33, index: 2 ** 7 },
      { level: 1, index: (2 ** 40 + 2 ** 33) / 2 },
      { level: 0, index: top - 1 },
    ]);
  });
});
