// src/jobs/worker-guard.ts against real Redis (own key prefix, only its keys deleted): a worker
// that keeps re-reporting one error is replaced; new errors only hold it still; `completed` runs
// once BullMQ has recorded the job as completed.
import assert from 'node:assert/strict';
import { Queue } from 'bullmq';
import type { Job } from 'bullmq';
import { randomId } from '../../src/crypto/random.js';
import { WorkerSet } from '../../src/jobs/worker-guard.js';
import { createQueueConnection } from '../../src/store/redis.js';
import { cleanPrefix, REDIS_URL } from '../api/harness.js';

async function until<T>(what: string, probe: () => Promise<T | undefined> | T | undefined): Promise<T> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('jobs/WorkerSet (real Redis)', function () {
  this.timeout(30_000);
  const prefix = `bbtest-workers-${randomId().slice(0, 8)}`;
  const connection = createQueueConnection(REDIS_URL);
  const queue = new Queue('work', { prefix, connection: connection.connection });
  const errors: Error[] = [];
  const replaced: string[] = [];
  let set: WorkerSet;

  beforeEach(() => {
    errors.length = 0;
    replaced.length = 0;
    set = new WorkerSet({
      url: REDIS_URL,
      onError: (err) => errors.push(err),
      onReplace: (name) => replaced.push(name),
      backoffMs: 100,
    });
  });
  afterEach(async () => {
    await set.close();
  });
  after(async () => {
    await queue.close();
    await connection.close();
    await cleanPrefix(prefix);
  });

  it('when a worker reports the very same error object again and again, then a new worker takes its place and runs jobs', async () => {
    set.add('work', async (job: Job) => `done ${String(job.data.n)}`, { prefix });
    const [first] = set.workers;
    assert.ok(first);
    const stuck = new Error('read ECONNRESET');
    for (let i = 0; i < 3; i++) first.emit('error', stuck);
    await until('the replacement', () => (replaced.length > 0 ? true : undefined));
    assert.deepEqual(replaced, ['work']);
    const [second] = set.workers;
    assert.ok(second && second !== first);
    assert.equal(set.workers.includes(first), false);
    const job = await queue.add('n', { n: 1 });
    const state = await until('the job', async () => {
      const s = await job.getState();
      return s === 'completed' ? s : undefined;
    });
    assert.equal(state, 'completed');
    assert.equal((await queue.getJob(String(job.id)))?.returnvalue, 'done 1');
  });

  it('when a worker reports new errors, then it is held still and resumed, never replaced', async () => {
    set.add('work', async () => 'ok', { prefix });
    const [worker] = set.workers;
    assert.ok(worker);
    for (let i = 0; i < 3; i++) worker.emit('error', new Error(`read ECONNRESET ${i}`));
    assert.equal(errors.length, 3);
    assert.equal(worker.isPaused(), true);
    await until('the resume', () => (worker.isPaused() ? undefined : true));
    assert.deepEqual(replaced, []);
    assert.equal(set.workers[0], worker);
  });

  it('when a job completes, then `completed` is told after BullMQ has recorded it as completed', async () => {
    const seen: string[] = [];
    set.add(
      'work',
      async () => 'ok',
      { prefix },
      (job: Job) => {
        void job.getState().then((s) => seen.push(s));
      },
    );
    await queue.add('n', { n: 2 });
    await until('the completed hook', () => (seen.length > 0 ? true : undefined));
    assert.deepEqual(seen, ['completed']);
  });
});
