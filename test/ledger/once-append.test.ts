// DESIGN §5/§6: once-only appends of a job go to the pending stream together and are committed
// together; a retry gets the first attempt's entries; waiters of a local sequencer cost no reads.
import assert from 'node:assert/strict';
import { createEntry, entryLeafHash } from '../../src/ledger/entry.js';
import type { LogStore } from '../../src/ledger/log-store.js';
import { Receipts } from '../../src/ledger/receipts.js';
import { Sequencer } from '../../src/ledger/sequencer.js';
import { SequencedWaiter } from '../../src/ledger/sequenced-waiter.js';
import { openTestLog } from './redis-log.js';
import type { TestLog } from './redis-log.js';

const disclosure = (job: string, n: number): string =>
  createEntry('disclosure', { jobId: job, owner: 'didi', recordId: `r${n}` });

/** Counts the calls of one LogStore method (the instance's own, so other tests are untouched). */
function countCalls(store: LogStore, method: 'enqueueOnce' | 'sequencedIndexes'): { calls: number } {
  const counter = { calls: 0 };
  const original = store[method].bind(store) as (...args: unknown[]) => Promise<unknown>;
  Object.assign(store, {
    [method]: (...args: unknown[]) => {
      counter.calls += 1;
      return original(...args);
    },
  });
  return counter;
}

describe('ledger: once-only appends of a job (real Redis)', () => {
  let log: TestLog;
  beforeEach(async () => {
    log = await openTestLog();
  });
  afterEach(async () => {
    await log.close();
  });

  it("when a job's once-only appends start together, then they are enqueued in one step and committed in one", async () => {
    const enqueues = countCalls(log.store, 'enqueueOnce');
    const receipts = new Receipts(log.store, log.checkpoints);
    const texts = [0, 1, 2].map((n) => disclosure('job-a', n));
    const appended = await Promise.all(
      texts.map((text, n) => receipts.append(text, { job: 'job-a', item: `didi/r${n}` })),
    );
    assert.equal(enqueues.calls, 1);
    assert.equal(new Set(appended.map((a) => a.pendingId)).size, 3);
    appended.forEach((a, n) => assert.deepEqual(a.leafHash, entryLeafHash(texts[n] as string)));
    const sequencer = new Sequencer(log.store);
    assert.equal(await sequencer.step(), 3);
    assert.equal(await sequencer.step(), 0);
    assert.deepEqual(await log.store.sequencedIndexes(appended.map((a) => a.pendingId)), [0, 1, 2]);
    await sequencer.stop();
  });

  it("when appends of two jobs start together, then each job's items go in an enqueue of their own", async () => {
    const enqueues = countCalls(log.store, 'enqueueOnce');
    const receipts = new Receipts(log.store, log.checkpoints);
    const appended = await Promise.all([
      receipts.append(disclosure('job-a', 0), { job: 'job-a', item: 'didi/r0' }),
      receipts.append(disclosure('job-b', 0), { job: 'job-b', item: 'didi/r0' }),
      receipts.append(disclosure('job-a', 1), { job: 'job-a', item: 'didi/r1' }),
    ]);
    assert.equal(enqueues.calls, 2);
    assert.equal(new Set(appended.map((a) => a.pendingId)).size, 3);
  });

  it("when a job's items are appended again (a retry), then they get the first attempt's entries and nothing new is pending", async () => {
    const receipts = new Receipts(log.store, log.checkpoints);
    const first = await Promise.all(
      [0, 1].map((n) => receipts.append(disclosure('job-a', n), { job: 'job-a', item: `didi/r${n}` })),
    );
    // The retry builds its entries anew (a later `at`, say): the first attempt's stand.
    const fresh = disclosure('job-a', 2);
    const retry = await Promise.all([
      receipts.append(disclosure('job-a', 7), { job: 'job-a', item: 'didi/r1' }),
      receipts.append(fresh, { job: 'job-a', item: 'didi/r2' }),
      receipts.append(disclosure('job-a', 8), { job: 'job-a', item: 'didi/r0' }),
    ]);
    assert.equal(retry[0]?.pendingId, first[1]?.pendingId);
    assert.deepEqual(retry[0]?.leafHash, first[1]?.leafHash);
    assert.equal(retry[2]?.pendingId, first[0]?.pendingId);
    assert.deepEqual(retry[2]?.leafHash, first[0]?.leafHash);
    assert.deepEqual(retry[1]?.leafHash, entryLeafHash(fresh));
    assert.equal((await log.store.pendingBatch(100)).length, 3);
  });

  it('when the enqueue fails, then every append started with it is rejected', async () => {
    const receipts = new Receipts(log.store, log.checkpoints);
    Object.assign(log.store, { enqueueOnce: () => Promise.reject(new Error('redis went away')) });
    const results = await Promise.allSettled(
      [0, 1, 2].map((n) => receipts.append(disclosure('job-a', n), { job: 'job-a', item: `didi/r${n}` })),
    );
    assert.deepEqual(
      results.map((r) => r.status),
      ['rejected', 'rejected', 'rejected'],
    );
  });

  it('when the local sequencer commits the entries waited for, then no wait reads the acknowledgements', async () => {
    const reads = countCalls(log.store, 'sequencedIndexes');
    const waiter = new SequencedWaiter(log.store, { pollMs: 1000 });
    const sequencer = new Sequencer(log.store, { onSequenced: (items) => waiter.sequenced(items) });
    const receipts = new Receipts(log.store, log.checkpoints);
    const appended = await Promise.all(
      [0, 1, 2].map((n) => receipts.append(disclosure('job-a', n), { job: 'job-a', item: `didi/r${n}` })),
    );
    const waits = appended.map((a) => waiter.wait(a.pendingId, 5000));
    assert.equal(await sequencer.step(), 3);
    const sequenced = await Promise.all(waits);
    assert.deepEqual(
      sequenced.map((s) => s.index),
      [0, 1, 2],
    );
    assert.equal(reads.calls, 0);
    await sequencer.stop();
    await waiter.close();
  });

  it('when an entry was sequenced elsewhere and no announcement comes, then the poll finds it', async () => {
    const waiter = new SequencedWaiter(log.store, { pollMs: 20 });
    const text = disclosure('job-a', 0);
    const pendingId = await log.store.enqueue(text);
    const sequencer = new Sequencer(log.store);
    assert.equal(await sequencer.step(), 1);
    const sequenced = await waiter.wait(pendingId, 2000);
    assert.equal(sequenced.index, 0);
    assert.deepEqual(sequenced.leafHash, entryLeafHash(text));
    await sequencer.stop();
    await waiter.close();
  });
});
