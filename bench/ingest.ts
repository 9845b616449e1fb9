/**
 * Issue 3 ingest benchmark (DESIGN §6 `ingest`, §9): N signed records (default 200k, 2 tokens and 2
 * sealed groups each) through the real API over mutual TLS, end to end (upload, staging, manifest
 * and digest verification, validation, re-keying, atomic Lua stores) on one broker process, against
 * the raw pipelined Redis write rate of the same record lines measured in the same run. Also Redis
 * memory per indexed token: the index buckets by MEMORY USAGE (SAMPLES 0), and everything the
 * batch stored by INFO used_memory delta. The batch file is built on a thread of its own first
 * (ingest-batch-file.ts). Runs under a random key prefix and deletes only its keys.
 */
import { createReadStream } from 'node:fs';
import { once } from 'node:events';
import { rm } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Worker } from 'node:worker_threads';
import { startServer } from '../src/api/server.js';
import { MemberClient } from '../src/client/member-client.js';
import { configSchema } from '../src/config/schema.js';
import { randomId } from '../src/crypto/random.js';
import { initKeys } from '../src/keys/init.js';
import { createLogger } from '../src/ops/logger.js';
import { createStoreClient } from '../src/store/redis.js';
import type { RedisClient } from '../src/store/redis.js';
import { figure, round, scratchDir, type BenchReport } from './lib.js';

const RECORDS = Number(process.env.BENCH_INGEST_RECORDS ?? 200_000);
const TOKENS_PER_RECORD = 2;
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const RAW_PIPELINE = 1000;

async function usedMemory(redis: RedisClient): Promise<number> {
  return Number(/used_memory:(\d+)/.exec(await redis.info('memory'))?.[1] ?? 0);
}

/** Every key under `pattern`, one SCAN page at a time. */
async function* keysMatching(redis: RedisClient, pattern: string): AsyncGenerator<string[]> {
  for await (const keys of redis.scanIterator({ MATCH: pattern, COUNT: 1000 })) {
    if (keys.length > 0) yield keys;
  }
}

/** Sum of MEMORY USAGE (all fields counted) over the keys matching `pattern`. */
async function memoryOf(redis: RedisClient, pattern: string): Promise<number> {
  let bytes = 0;
  for await (const keys of keysMatching(redis, pattern)) {
    const sizes = await Promise.all(keys.map((k) => redis.memoryUsage(k, { SAMPLES: 0 })));
    bytes += sizes.reduce<number>((sum, n) => sum + (n ?? 0), 0);
  }
  return bytes;
}

async function readRecordLines(file: string): Promise<string[]> {
  const lines: string[] = [];
  for await (const line of createInterface({ input: createReadStream(file), crlfDelay: Infinity })) {
    lines.push(line);
  }
  return lines.slice(1);
}

/** SETs every line under its own key, RAW_PIPELINE commands per round trip; returns lines/s. */
async function rawPipelinedRate(redis: RedisClient, prefix: string, lines: string[]): Promise<number> {
  const start = performance.now();
  for (let i = 0; i < lines.length; i += RAW_PIPELINE) {
    const multi = redis.multi();
    for (let j = i; j < Math.min(i + RAW_PIPELINE, lines.length); j++)
      multi.set(`${prefix}:raw:${j}`, lines[j] ?? '');
    await multi.execAsPipeline();
  }
  return lines.length / ((performance.now() - start) / 1000);
}

/** Builds the batch on a thread of its own (its heap goes away with it); returns its size. */
async function writeBatchFile(keysDir: string, file: string): Promise<number> {
  const entry = new URL('./ingest-batch-file.ts', import.meta.url).href;
  const bootstrap = `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(entry)}); })`;
  const worker = new Worker(bootstrap, { eval: true, workerData: { keysDir, file, records: RECORDS } });
  const [bytes] = (await once(worker, 'message')) as [number];
  await once(worker, 'exit');
  return bytes;
}

async function deleteKeys(redis: RedisClient, pattern: string): Promise<void> {
  for await (const keys of keysMatching(redis, pattern)) await redis.unlink(keys);
}

export async function benchIngest(): Promise<BenchReport> {
  const dir = await scratchDir('ingest');
  const keysDir = join(dir, 'keys');
  const prefix = `bbbench-${randomId().slice(0, 8)}`;
  await initKeys({
    dir: keysDir,
    consortium: 'bench',
    members: ['tencent'],
    auditors: ['pboc'],
    operators: ['ops'],
    days: 30,
    force: false,
  });
  const file = join(dir, 'batch.ndjson');
  const bytes = await writeBatchFile(keysDir, file);

  const config = configSchema.parse({
    keysDir,
    logLevel: 'warn',
    redis: { url: REDIS_URL, prefix },
    broker: { host: '127.0.0.1', port: 0, maxBodyBytes: 2 * 1024 * 1024 * 1024 },
  });
  const redis = createStoreClient(REDIS_URL);
  await redis.connect();
  const server = await startServer(config, { logger: createLogger('warn') });
  const client = await MemberClient.fromKeys(keysDir, 'tencent', server.url);
  try {
    const loadBefore = loadavg()[0] ?? 0;
    const memoryBefore = await usedMemory(redis);
    const start = performance.now();
    const { jobId } = await client.submitBatch(file);
    const uploaded = performance.now();
    const job = await client.waitForJob(jobId, { intervalMs: 50 });
    const seconds = (performance.now() - start) / 1000;
    const loadAfter = loadavg()[0] ?? 0;
    if (job.state !== 'completed' || job.result?.accepted !== RECORDS) {
      throw new Error(`ingest did not store every record: ${job.state} ${job.failedReason ?? ''}`);
    }
    const memoryAfter = await usedMemory(redis);
    const tokens = RECORDS * TOKENS_PER_RECORD;
    const indexBytes = await memoryOf(redis, `${prefix}:{o:tencent}:ix:*`);
    const rate = RECORDS / seconds;
    const raw = await rawPipelinedRate(redis, prefix, await readRecordLines(file));
    const rawBaseline = {
      name: `raw pipelined SET of the same record lines (${RAW_PIPELINE} per round trip), same run`,
      value: Math.round(raw),
      unit: 'records/s',
    };
    return {
      bench: 'ingest',
      figures: [
        figure({
          name: `ingest end to end over mTLS, ${RECORDS.toLocaleString('en-US')} records (upload + job)`,
          value: rate,
          unit: 'records/s',
          goal: '≥ 15,000/s',
          met: rate >= 15_000,
          baseline: rawBaseline,
          notes: `1-min load average ${round(loadBefore, 2)} before, ${round(loadAfter, 2)} after (other processes share the cores)`,
        }),
        figure({
          name: 'Redis memory per indexed token (index buckets, MEMORY USAGE)',
          value: indexBytes / tokens,
          unit: 'bytes',
          goal: '≤ 200 bytes',
          met: indexBytes / tokens <= 200,
        }),
        figure({
          name: 'Redis memory per indexed token, all-in (INFO used_memory delta: records, envelopes, index)',
          value: (memoryAfter - memoryBefore) / tokens,
          unit: 'bytes',
          notes: 'the record values hold the sealed envelopes; other clients of the same Redis add noise',
        }),
      ],
      details: {
        records: RECORDS,
        tokens,
        batchBytes: bytes,
        uploadSeconds: round((uploaded - start) / 1000, 2),
        totalSeconds: round(seconds, 2),
        chunkRecords: config.ingest.chunkRecords,
        indexBucketBits: config.ingest.indexBucketBits,
      },
    };
  } finally {
    client.close();
    await server.stop();
    await deleteKeys(redis, `${prefix}:*`);
    await redis.close();
    await rm(dir, { recursive: true, force: true });
  }
}
