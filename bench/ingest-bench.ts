/**
 * Ingest bench (issue 3): N records (default 200k) through the API end to end (upload + ingest job)
 * on one broker process, the raw pipelined Redis write rate of the same bytes measured in the same
 * run, their ratio, and Redis memory per indexed token (INFO used_memory delta over tokens, and the
 * index buckets alone by MEMORY USAGE). Uses its own key prefix and deletes only those keys.
 *   npx tsx bench/ingest-bench.ts [records]
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from 'redis';
import { startServer } from '../src/api/server.js';
import { MemberClient } from '../src/client/member-client.js';
import { configSchema } from '../src/config/schema.js';
import { createLogger } from '../src/ops/logger.js';
import type { RedisClient } from '../src/store/redis.js';
import { buildBatch, someRecords } from '../test/fixtures/batch.js';
import { cleanPrefix } from '../test/api/harness.js';
import { sharedConsortium } from '../test/keys/fixture.js';

const n = Number(process.argv[2] ?? 200_000);
const prefix = `bbbench-${process.pid}`;
const usedMemory = async (c: RedisClient): Promise<number> =>
  Number(/used_memory:(\d+)/.exec(await c.info('memory'))?.[1] ?? 0);

const keysDir = await sharedConsortium();
const config = configSchema.parse({
  keysDir,
  logLevel: 'warn',
  redis: { url: 'redis://127.0.0.1:6379', prefix },
  broker: { host: '127.0.0.1', port: 0, maxBodyBytes: 2 * 1024 * 1024 * 1024 },
});
const t0 = performance.now();
const batch = await buildBatch(keysDir, 'tencent', someRecords(n, 'b'));
const file = join(await mkdtemp(join(tmpdir(), 'bb-bench-')), 'batch.ndjson');
await writeFile(file, batch.text);
console.log(
  `built ${n} records (${(batch.text.length / 1e6).toFixed(1)} MB) in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
);

const redis: RedisClient = createClient({ url: config.redis.url, disableOfflineQueue: true });
await redis.connect();
const server = await startServer(config, { logger: createLogger('warn') });
const client = await MemberClient.fromKeys(keysDir, 'tencent', server.url);
try {
  const before = await usedMemory(redis);
  const start = performance.now();
  const { jobId } = await client.submitBatch(file);
  const uploaded = performance.now();
  const job = await client.waitForJob(jobId, { intervalMs: 100 });
  const seconds = (performance.now() - start) / 1000;
  if (job.state !== 'completed') throw new Error(`job failed: ${job.failedReason}`);
  const after = await usedMemory(redis);
  const tokens = n * 2;
  let indexBytes = 0;
  for await (const keys of redis.scanIterator({ MATCH: `${prefix}:{o:tencent}:ix:*`, COUNT: 1000 })) {
    for (const key of keys) indexBytes += (await redis.memoryUsage(key)) ?? 0;
  }
  const rate = n / seconds;
  console.log(
    `end to end: ${n} records in ${seconds.toFixed(2)} s = ${Math.round(rate)} records/s (upload ${((uploaded - start) / 1000).toFixed(2)} s)`,
  );
  console.log(
    `memory: ${((after - before) / tokens).toFixed(0)} bytes per token all-in (records+envelopes), index alone ${(indexBytes / tokens).toFixed(1)} bytes per token`,
  );

  const lines = batch.lines.slice(1);
  const rawStart = performance.now();
  for (let i = 0; i < lines.length; i += 1000) {
    const multi = redis.multi();
    for (let j = i; j < Math.min(i + 1000, lines.length); j++)
      multi.set(`${prefix}:raw:${j}`, lines[j] ?? '');
    await multi.execAsPipeline();
  }
  const rawRate = n / ((performance.now() - rawStart) / 1000);
  console.log(
    `raw pipelined SET of the same lines: ${Math.round(rawRate)} records/s; ratio end-to-end/raw = ${(rate / rawRate).toFixed(2)}`,
  );
} finally {
  client.close();
  await server.stop();
  await redis.close();
  await cleanPrefix(prefix);
}
