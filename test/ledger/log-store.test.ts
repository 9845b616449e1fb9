// DESIGN §5 / RFC 9162 §2.1: the Redis log store, sequencer, checkpoints and receipts round trip.
import assert from 'node:assert/strict';
import { isBrokerError } from '../../src/errors.js';
import { createEntry, entryLeafHash } from '../../src/ledger/entry.js';
import { LogReader } from '../../src/ledger/log-reader.js';
import { MemoryTree } from '../../src/ledger/memory-tree.js';
import { Receipts, createLogService } from '../../src/ledger/receipts.js';
import { CACHED_NODE_LEVEL, LogStore } from '../../src/ledger/log-store.js';
import { proveInclusion } from '../../src/ledger/proofs.js';
import { Sequencer } from '../../src/ledger/sequencer.js';
import { SequencedWaiter } from '../../src/ledger/sequenced-waiter.js';
import type { SequencedItem } from '../../src/ledger/sequenced-waiter.js';
import { verifyTlogProof } from '../../src/ledger/tlog-proof.js';
import { appendLeaves } from '../../src/ledger/tree-nodes.js';
import { verifyConsistency, verifyInclusion } from '../../src/ledger/verify.js';
import { fromBase64Strict } from '../../src/ledger/base64.js';
import { openTestLog } from './redis-log.js';
import type { TestLog } from './redis-log.js';

const entry = (n: number): string => createEntry('consent.granted', { consentId: `c-${n}`, n });

/** Commits `size` entries in one step (as the sequencer would); returns their leaf hashes and the root. */
async function commitTree(log: TestLog, size: number): Promise<{ leaves: Uint8Array[]; root: Uint8Array }> {
  const sequencer = new Sequencer(log.store, { leaseMs: 10_000 });
  await sequencer.holdLease();
  const texts = Array.from({ length: size }, (_, n) => entry(n));
  const leaves = texts.map(entryLeafHash);
  const append = appendLeaves(0, [], leaves);
  const lease = sequencer.lease as string;
  assert.equal(
    await log.store.commit({ lease, expectedSize: 0, append, entries: texts, pending: [] }),
    'committed',
  );
  await sequencer.stop();
  return { leaves, root: (await log.store.head()).root as Uint8Array };
}

async function drain(sequencer: Sequencer): Promise<void> {
  while ((await sequencer.step()) > 0);
}

describe('ledger/log-store + sequencer + checkpointer (real Redis)', () => {
  let log: TestLog;
  beforeEach(async () => {
    log = await openTestLog();
  });
  afterEach(async () => {
    await log.close();
  });

  it('when an entry is appended through the LogService, then its receipt verifies against a signed checkpoint', async () => {
    const sequencer = new Sequencer(log.store, { leaseMs: 2000 });
    const receipts = new Receipts(log.store, log.checkpoints, {
      forceCheckpoint: () => log.checkpointer.force(),
    });
    const service = createLogService(receipts, log.logKey, 5000);
    sequencer.start();
    try {
      const first = await service.appendEntry('member.joined', { member: 'tencent' });
      const [second, third] = await Promise.all([
        service.appendEntry('policy.set', { member: 'tencent', version: 1 }),
        service.appendEntry('consent.granted', { consentId: 'c1' }),
      ]);
      assert.equal(first.index, 0);
      assert.deepEqual([second?.index, third?.index].sort(), [1, 2]);
      for (const receipt of [first, second, third]) {
        const { checkpoint } = verifyTlogProof(receipt.proof, receipt.leafHash, log.logKey);
        assert.ok(checkpoint.size > BigInt(receipt.index));
      }
      const reader = new LogReader(log.store, log.checkpoints);
      const page = await reader.entries(0, 1);
      assert.deepEqual(JSON.parse(page.entries[0] as string).body, { member: 'tencent' });
      assert.deepEqual(entryLeafHash(page.entries[0] as string), first.leafHash);
    } finally {
      await sequencer.stop();
    }
  });

  it('when the log grows one entry at a time to 64, then every inclusion and consistency proof from Redis verifies against the signed checkpoints', async () => {
    const sequencer = new Sequencer(log.store);
    const mirror = new MemoryTree();
    for (let n = 0; n < 64; n++) {
      const text = entry(n);
      await log.store.enqueue(text);
      await drain(sequencer);
      mirror.append([entryLeafHash(text)]);
      await log.checkpointer.tick();
    }
    const history = await log.checkpoints.history();
    assert.deepEqual(
      history.map((c) => c.size),
      Array.from({ length: 64 }, (_, i) => i + 1),
    );
    const reader = new LogReader(log.store, log.checkpoints);
    for (const checkpoint of history) {
      assert.deepEqual(checkpoint.root, mirror.root(checkpoint.size));
      for (let index = 0; index < checkpoint.size; index++) {
        const view = await reader.inclusion(index, checkpoint.size);
        const proof = view.proof.map((h) => fromBase64Strict(h) as Uint8Array);
        const leaf = fromBase64Strict(view.leafHash) as Uint8Array;
        assert.ok(
          verifyInclusion(leaf, index, checkpoint.size, proof, checkpoint.root),
          `${index}/${checkpoint.size}`,
        );
      }
      for (const later of history.filter((c) => c.size >= checkpoint.size)) {
        const view = await reader.consistency(checkpoint.size, later.size);
        const proof = view.proof.map((h) => fromBase64Strict(h) as Uint8Array);
        assert.ok(verifyConsistency(checkpoint.size, later.size, proof, checkpoint.root, later.root));
      }
    }
  });

  it('when a commit is replayed with a stale expected size, then it is refused and nothing changes', async () => {
    const sequencer = new Sequencer(log.store);
    await sequencer.holdLease();
    const lease = sequencer.lease as string;
    const texts = [entry(1), entry(2)];
    const ids = await Promise.all(texts.map((t) => log.store.enqueue(t)));
    const append = appendLeaves(0, [], texts.map(entryLeafHash));
    const input = {
      lease,
      expectedSize: 0,
      append,
      entries: texts,
      pending: ids.map((id, index) => ({ id, index })),
    };
    assert.equal(await log.store.commit(input), 'committed');
    assert.equal(await log.store.commit(input), 'stale-size');
    assert.equal(await log.store.commit({ ...input, lease: `${lease}x` }), 'lease-lost');
    const head = await log.store.head();
    assert.equal(head.size, 2);
    assert.deepEqual(await log.store.readEntries(0, 2), texts);
    assert.equal(await log.store.pendingCount(), 0);
    assert.deepEqual(await log.store.sequencedIndexes([ids[1] as string, 'nope-0']), [1, undefined]);
  });

  it('when two sequencers race over one stream, then one holds the lease and every entry gets exactly one index', async () => {
    const a = new Sequencer(log.store, { instance: 'a', batchMax: 7, leaseMs: 500 });
    const b = new Sequencer(log.store, { instance: 'b', batchMax: 5, leaseMs: 500 });
    const texts = Array.from({ length: 300 }, (_, i) => entry(i));
    a.start();
    b.start();
    try {
      for (let i = 0; i < texts.length; i += 30) {
        await Promise.all(texts.slice(i, i + 30).map((t) => log.store.enqueue(t)));
        await new Promise((r) => setTimeout(r, 5));
      }
      while ((await log.store.pendingCount()) > 0) await new Promise((r) => setTimeout(r, 10));
      assert.equal([a.lease, b.lease].filter((l) => l !== undefined).length, 1);
    } finally {
      await Promise.all([a.stop(), b.stop()]);
    }
    const stored = await log.store.readEntries(0, texts.length);
    assert.deepEqual([...stored].sort(), [...texts].sort());
    assert.equal((await log.store.head()).size, texts.length);
    const mirror = new MemoryTree();
    mirror.append(stored.map(entryLeafHash));
    assert.deepEqual((await log.store.head()).root, mirror.root());
  });

  it('when a pending item is not a canonical entry, then it is dropped unsequenced and the log goes on', async () => {
    const dropped: string[] = [];
    const sequencer = new Sequencer(log.store, { onDrop: (id) => dropped.push(id) });
    const bad = await log.store.enqueue('{"kind":"consent.granted", "at":"x"}');
    await log.store.enqueue(entry(1));
    await drain(sequencer);
    assert.deepEqual(dropped, [bad]);
    assert.equal((await log.store.head()).size, 1);
    assert.deepEqual(await log.store.sequencedIndexes([bad]), [undefined]);
  });

  it('when proofs are asked past the signed checkpoint, then LOG_RANGE says so', async () => {
    const sequencer = new Sequencer(log.store);
    for (let n = 0; n < 3; n++) await log.store.enqueue(entry(n));
    await drain(sequencer);
    const reader = new LogReader(log.store, log.checkpoints);
    await assert.rejects(reader.entries(0, 1), (e) => isBrokerError(e, 'LOG_NO_CHECKPOINT'));
    await log.checkpointer.tick();
    await assert.rejects(reader.inclusion(0, 4), (e) => isBrokerError(e, 'LOG_RANGE'));
    await assert.rejects(reader.inclusion(3, 3), (e) => isBrokerError(e, 'LOG_RANGE'));
    await assert.rejects(reader.consistency(0, 3), (e) => isBrokerError(e, 'LOG_RANGE'));
    await assert.rejects(reader.consistency(2, 1), (e) => isBrokerError(e, 'LOG_RANGE'));
    await assert.rejects(reader.entries(2, 5), (e) => isBrokerError(e, 'LOG_RANGE'));
    assert.equal((await reader.entries(0, 3)).entries.length, 3);
  });

  it('when upper-level nodes were read once, then proofs reuse them from memory and lower levels still come from Redis', async () => {
    const size = 3000;
    const { leaves, root } = await commitTree(log, size);
    const cold = () => new LogStore(log.client, log.store.keys);
    for (const index of [0, 1, 255, 256, 1023, 2047, 2048, 2999]) {
      const warm = await proveInclusion(log.store, index, size);
      assert.deepEqual(warm, await proveInclusion(cold(), index, size), `index ${index}`);
      assert.ok(verifyInclusion(leaves[index] as Uint8Array, index, size, warm, root), `index ${index}`);
    }
    // With an upper-level node string gone, only the store that already read it still proves.
    await log.client.del(log.store.keys.nodes(CACHED_NODE_LEVEL, 0));
    const again = await proveInclusion(log.store, 0, size);
    assert.ok(verifyInclusion(leaves[0] as Uint8Array, 0, size, again, root));
    await assert.rejects(proveInclusion(cold(), 0, size), (e) => isBrokerError(e, 'LOG_STORAGE'));
    // Leaf-level hashes are never kept: they are read from Redis every time.
    await log.client.del(log.store.keys.nodes(0, 0));
    await assert.rejects(proveInclusion(log.store, 0, size), (e) => isBrokerError(e, 'LOG_STORAGE'));
  });

  it('when more upper nodes are read than the cache holds, then the lowest cached level goes first and proofs stay right', async () => {
    const size = 3000;
    const { leaves, root } = await commitTree(log, size);
    // 3,000 leaves have 46 nodes at level 6 and 42 above it: more than 40.
    const small = new LogStore(log.client, log.store.keys, { maxCachedNodes: 40 });
    for (let index = 0; index < size; index += 7) {
      const proof = await proveInclusion(small, index, size);
      assert.ok(verifyInclusion(leaves[index] as Uint8Array, index, size, proof, root), `index ${index}`);
      assert.ok(small.cachedNodes <= 40, `${small.cachedNodes} cached nodes`);
    }
    // The top node MTH(D[0:2048]) (level 11) is still held: proofs need no Redis copy of it.
    await log.client.del(log.store.keys.nodes(11, 0));
    const proof = await proveInclusion(small, 2999, size);
    assert.ok(verifyInclusion(leaves[2999] as Uint8Array, 2999, size, proof, root));
  });

  it('when the sequencer commits, then it reports each pending id with the index and leaf hash Redis holds', async () => {
    const reported: SequencedItem[] = [];
    const sequencer = new Sequencer(log.store, { onSequenced: (items) => reported.push(...items) });
    const texts = Array.from({ length: 5 }, (_, n) => entry(n));
    const ids: string[] = [];
    for (const text of texts) ids.push(await log.store.enqueue(text));
    await drain(sequencer);
    assert.deepEqual(
      reported.map((r) => r.pendingId),
      ids,
    );
    const indexes = await log.store.sequencedIndexes(ids);
    const stored = await log.store.readNodes(reported.map((r) => ({ level: 0, index: r.index })));
    reported.forEach((r, i) => {
      assert.equal(r.index, indexes[i]);
      assert.equal(
        Buffer.from(r.leafHash).toString('hex'),
        Buffer.from(stored[i] as Uint8Array).toString('hex'),
      );
      assert.equal(
        Buffer.from(r.leafHash).toString('hex'),
        Buffer.from(entryLeafHash(texts[i] as string)).toString('hex'),
      );
    });
  });

  it('when the local sequencer reports an entry, then its waiter is answered without finding it in Redis', async () => {
    // Nothing is in Redis under this id: only `sequenced()` can answer the wait.
    const waiter = new SequencedWaiter(log.store, { pollMs: 5 });
    const leafHash = entryLeafHash(entry(7));
    const waiting = waiter.wait('1-0', 2000);
    waiter.sequenced([{ pendingId: '9-0', index: 3, leafHash: new Uint8Array(32) }]);
    waiter.sequenced([{ pendingId: '1-0', index: 7, leafHash }]);
    assert.deepEqual(await waiting, { index: 7, leafHash });
    await assert.rejects(waiter.wait('2-0', 50), (e) => isBrokerError(e, 'LOG_TIMEOUT'));
    await waiter.close();
  });
});
