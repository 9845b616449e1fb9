/**
 * Faults: Redis going away and coming back (503 + Retry-After, then recovery by itself), Redis
 * stopped with its connections open (the watchdog drops the store connection: 503, not a hang), and a
 * worker process killed with SIGKILL mid-batch (the stalled job is re-run: no loss, no duplicates).
 * The Redis test runs its own redis-server on a spare port and kills only that one.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { createClient } from 'redis';
import { buildBatch, someRecords } from '../fixtures/batch.js';
import { keysUnder, startBroker } from './harness.js';

async function sparePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as { port: number }).port;
  server.close();
  return port;
}

async function startRedis(port: number): Promise<ChildProcess> {
  const child = spawn('redis-server', ['--port', String(port), '--save', '', '--appendonly', 'no'], {
    stdio: 'ignore',
  });
  const client = createClient({ url: `redis://127.0.0.1:${port}`, socket: { reconnectStrategy: 50 } });
  client.on('error', () => undefined);
  await client.connect();
  await client.ping();
  await client.close();
  return child;
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, ms = 20_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const text = (t: string) => [Buffer.from(t)];

describe('broker faults', function () {
  this.timeout(60_000);

  it('when Redis goes down, then the API answers 503 with Retry-After, stays up, and recovers when Redis returns', async () => {
    const port = await sparePort();
    let redis = await startRedis(port);
    const broker = await startBroker({ redis: { url: `redis://127.0.0.1:${port}` } });
    try {
      const client = await broker.client('tencent');
      assert.deepEqual(await client.listSubmissions(), []);
      redis.kill('SIGKILL');
      await once(redis, 'exit');
      const err = await until('a 503', () =>
        client.listSubmissions().then(
          () => undefined,
          (e: unknown) => e,
        ),
      );
      assert.equal((err as { code?: string }).code, 'REDIS_UNAVAILABLE');
      assert.equal((err as { details?: { status?: number } }).details?.status, 503);
      assert.ok((err as { details?: { retryAfter?: string } }).details?.retryAfter);
      redis = await startRedis(port);
      await until('recovery', () => client.listSubmissions());
      const batch = await buildBatch(broker.keysDir, 'tencent', someRecords(5, 'rc'));
      const job = await client.waitForJob((await client.submitBatch(text(batch.text))).jobId);
      assert.equal(job.result?.accepted, 5, `job ${job.state}: ${job.failedReason ?? ''}`);
    } finally {
      await broker.stop().catch(() => undefined);
      redis.kill('SIGKILL');
    }
  });

  it('when Redis stops answering with its connection open, then requests in flight and new ones get 503 within the stall limit, and the broker recovers', async () => {
    const port = await sparePort();
    const redis = await startRedis(port);
    const broker = await startBroker({ redis: { url: `redis://127.0.0.1:${port}`, stallMs: 500 } });
    try {
      const client = await broker.client('tencent');
      assert.deepEqual(await client.listSubmissions(), []);
      redis.kill('SIGSTOP');
      const started = Date.now();
      const inFlight = await client.listSubmissions().then(
        () => undefined,
        (e: unknown) => e as { code?: string },
      );
      const waited = Date.now() - started;
      assert.equal(inFlight?.code, 'REDIS_UNAVAILABLE');
      assert.ok(waited < 3000, `answered after ${waited} ms`);
      const fresh = await client.listSubmissions().then(
        () => undefined,
        (e: unknown) => e as { code?: string },
      );
      assert.equal(fresh?.code, 'REDIS_UNAVAILABLE');
      redis.kill('SIGCONT');
      assert.deepEqual(await until('recovery', () => client.listSubmissions()), []);
    } finally {
      redis.kill('SIGCONT');
      await broker.stop().catch(() => undefined);
      redis.kill('SIGKILL');
    }
  });

  it('when a worker process is SIGKILLed mid-batch, then the job is retried and ends with every record stored once', async () => {
    const broker = await startBroker({ ingest: { chunkRecords: 20 } }, { workers: [] });
    const children: ChildProcess[] = [];
    const spawnWorker = async (): Promise<ChildProcess> => {
      const child = spawn(process.execPath, ['--import', 'tsx', 'test/api/worker-child.ts'], {
        env: { ...process.env, BB_TEST_CONFIG: JSON.stringify(broker.config) },
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      children.push(child);
      await once(child.stdout!, 'data');
      return child;
    };
    try {
      const client = await broker.client('didi');
      const n = 600;
      const batch = await buildBatch(broker.keysDir, 'didi', someRecords(n, 'kill'));
      const { jobId } = await client.submitBatch(text(batch.text));
      const first = await spawnWorker();
      const progress = await until('progress', async () => {
        const job = await client.getJob(jobId);
        return job.progress > 10 ? job.progress : undefined;
      });
      first.kill('SIGKILL');
      await once(first, 'exit');
      assert.ok(progress < 100, 'killed mid-batch');
      await spawnWorker();
      const job = await client.waitForJob(jobId, { timeoutMs: 40_000 });
      assert.equal(job.state, 'completed', job.failedReason);
      assert.equal(job.result?.accepted, n);
      assert.equal(job.result?.rejected, 0);
      const keys = await keysUnder(broker.config.redis.prefix);
      assert.equal(keys.filter((k) => k.includes('{o:didi}:r:')).length, n);
      const redis = broker.server.context.client;
      for (const bucket of keys.filter((k) => k.includes('{o:didi}:ix:'))) {
        for (const ids of Object.values(await redis.hGetAll(bucket))) {
          const list = ids.split('|');
          assert.equal(new Set(list).size, list.length, 'no record listed twice under one index key');
        }
      }
      assert.equal(await redis.zCard(broker.server.context.keys.expiries('didi')), n);
    } finally {
      children.forEach((c) => c.kill('SIGKILL'));
      await broker.stop();
    }
  });
});
