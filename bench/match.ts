/**
 * Match bench (issue 5, DESIGN §6): consented lookups under load with autocannon over mutual TLS
 * against an index of MATCH_BENCH_RECORDS (default 1,000,000) records, at MATCH_BENCH_RATE
 * (default 200) requests/s for MATCH_BENCH_SECONDS (default 60), each answered inline (?wait=)
 * after its log entries are sequenced; a bare Express-over-mTLS endpoint measured the same way in
 * the same run is the baseline. The load generator runs in its own process (bench/cannon-child.ts),
 * as 40 autocannon instances started 25 ms apart so that the rate is kept through each second
 * rather than sent as one burst at its top; the first 5 s of each run are a warm-up that opens
 * the connections (kept for the rest of the run) and is not counted. Then screening of MATCH_BENCH_SUBJECTS (default 100,000) subjects
 * through the API, against the raw pipelined read rate of the same index bucket fields (HMGET,
 * pipelined per chunk and owner) in the same run.
 * Uses its own key prefix and deletes only those keys.   npx tsx bench/match.ts
 */
import { execFile } from 'node:child_process';
import { rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:https';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { promisify } from 'node:util';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { startServer } from '../src/api/server.js';
import { MemberClient } from '../src/client/member-client.js';
import { configSchema } from '../src/config/schema.js';
import { loadBrokerKeys, loadMemberIdentity } from '../src/keys/load.js';
import { createLogger } from '../src/ops/logger.js';
import type { BrokerContext } from '../src/service/broker-context.js';
import { cleanPrefix } from '../test/api/harness.js';
import { sharedConsortium } from '../test/keys/fixture.js';
import type { CannonPlan, Load } from './cannon-child.js';
import { figure, round, scratchDir } from './lib.js';
import type { BenchReport } from './lib.js';
import { borrowerTokens, loadIndex, OWNERS, REQUESTER, storeConsents } from './match-load.js';

const env = (name: string, fallback: number): number => Number(process.env[name] ?? fallback);
const execFileAsync = promisify(execFile);

const WARMUP_SECONDS = 5;
const CONNECTIONS = 64;
/** autocannon instances sharing the rate, started 25 ms apart (see bench/cannon-child.ts). */
const INSTANCES = 40;

/** Runs the load generator in its own process (bench/cannon-child.ts) and returns its figures. */
async function cannon(plan: Omit<CannonPlan, 'warmupSeconds' | 'connections' | 'instances'>): Promise<Load> {
  const dir = await scratchDir('match');
  const file = join(dir, 'plan.json');
  try {
    await writeFile(
      file,
      JSON.stringify({
        ...plan,
        warmupSeconds: WARMUP_SECONDS,
        connections: CONNECTIONS,
        instances: INSTANCES,
      }),
    );
    const child = fileURLToPath(new URL('./cannon-child.ts', import.meta.url));
    const { stdout } = await execFileAsync(process.execPath, ['--import', 'tsx', child, file], {
      maxBuffer: 1 << 20,
    });
    return JSON.parse(stdout.trim().split('\n').pop() as string) as Load;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Redis's own CPU time so far (INFO cpu, user + system) in seconds, and commands processed. */
async function redisCounters(context: BrokerContext): Promise<{ cpuSeconds: number; commands: number }> {
  const info = await context.client.info();
  const field = (name: string): number => Number(new RegExp(`${name}:([\\d.]+)`).exec(info)?.[1] ?? 0);
  return {
    cpuSeconds: field('used_cpu_user') + field('used_cpu_sys'),
    commands: field('total_commands_processed'),
  };
}

async function bareServer(
  tls: { certPem: string; keyPem: string },
  caCertPem: string,
): Promise<{ url: string; close: () => void }> {
  const app = express();
  app.post('/bare', express.json(), (_req, res) => {
    res.json({ ok: true });
  });
  const server = createServer(
    { cert: tls.certPem, key: tls.keyPem, ca: caCertPem, requestCert: true, rejectUnauthorized: true },
    app,
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `https://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => server.close() };
}

/**
 * The raw read rate of screening's index probes: for chunks of 1,000 subjects, per owner, one
 * pipeline of HMGETs (the subject's bucket fields grouped by bucket), owners in parallel. It reads
 * the index only (not the records' states), so it is a floor of what a probe must cost.
 */
async function rawProbeRate(context: BrokerContext, subjects: number): Promise<number> {
  const { client, keys } = context;
  const index = context.matching.matchDeps.index;
  const others = OWNERS.filter((o) => o !== REQUESTER);
  const started = performance.now();
  for (let first = 0; first < subjects; first += 1000) {
    const indexKeys = Array.from({ length: Math.min(1000, subjects - first) }, (_, i) =>
      Object.values(borrowerTokens((first + i) * 7)).map((t) => index.indexKeyOf(t)),
    ).flat();
    await Promise.all(
      others.map((owner) => {
        const buckets = new Map<string, string[]>();
        for (const key of indexKeys) {
          const bucket = keys.indexBucket(owner, key);
          buckets.set(bucket, [...(buckets.get(bucket) ?? []), key]);
        }
        const pipeline = client.multi();
        for (const [bucket, fields] of buckets) pipeline.hmGet(bucket, fields);
        return pipeline.execAsPipeline();
      }),
    );
  }
  return subjects / ((performance.now() - started) / 1000);
}

export async function benchMatch(): Promise<BenchReport> {
  const records = env('MATCH_BENCH_RECORDS', 1_000_000);
  const seconds = env('MATCH_BENCH_SECONDS', 60);
  const rate = env('MATCH_BENCH_RATE', 200);
  const subjects = env('MATCH_BENCH_SUBJECTS', 100_000);
  const keysDir = await sharedConsortium();
  const prefix = `bbbench-match-${process.pid}`;
  const config = configSchema.parse({
    keysDir,
    logLevel: 'warn',
    redis: { url: 'redis://127.0.0.1:6379', prefix },
    broker: { host: '127.0.0.1', port: 0 },
  });
  const server = await startServer(config, { logger: createLogger('warn') });
  try {
    const loadRate = await loadIndex(server.context, records, Math.floor(records * 0.7) + 1);
    const requests = Math.ceil(rate * (seconds + WARMUP_SECONDS) * 1.1) + 100;
    const consents = await storeConsents(
      server.context,
      Math.ceil(requests / 5),
      'loan_underwriting',
      ['status', 'amounts'],
      5,
    );
    const me = await loadMemberIdentity(keysDir, REQUESTER);
    const tls = { cert: me.tls.certPem, key: me.tls.keyPem, ca: me.caCertPem };
    // Each consent allows five uses: every consent is sent five times in a row.
    const bodies = Array.from({ length: requests }, (_, n) => {
      const c = consents[Math.floor(n / 5) % consents.length];
      return JSON.stringify({ consentId: c?.consentId, tokens: c?.tokens, groups: ['status', 'amounts'] });
    });
    const headers = { 'content-type': 'application/json' };
    const load = { tls, method: 'POST' as const, headers, seconds, rate };
    // The broker's event-loop delay during the lookup run, to tell its own stalls from the machine's.
    const loopDelay = monitorEventLoopDelay({ resolution: 5 });
    loopDelay.enable();
    const redisBefore = await redisCounters(server.context);
    const cpuBefore = process.cpuUsage();
    const match = await cannon({ ...load, url: server.url, path: '/v1/matches?wait=10', bodies });
    const cpu = process.cpuUsage(cpuBefore);
    const redisAfter = await redisCounters(server.context);
    loopDelay.disable();
    // Per lookup, warm-up included (the counted requests plus the warm-up's at the same rate).
    const lookupsServed = match.requests + rate * WARMUP_SECONDS;
    const cpuPerLookup = {
      brokerMs: round((cpu.user + cpu.system) / 1000 / lookupsServed, 2),
      redisMs: round(((redisAfter.cpuSeconds - redisBefore.cpuSeconds) * 1000) / lookupsServed, 2),
      // Every Redis client on the machine counts here; the bench is the only busy one.
      redisCommands: round((redisAfter.commands - redisBefore.commands) / lookupsServed, 1),
    };
    const broker = await loadBrokerKeys(keysDir);
    const bare = await bareServer(broker.tls, broker.caCertPem);
    const baseline = await cannon({ ...load, url: bare.url, path: '/bare', bodies: bodies.slice(0, 1) });
    bare.close();

    // Screening through the API, then the same lookups as raw pipelined Redis reads.
    const [screenConsent] = await storeConsents(server.context, 1, 'portfolio_screening', ['status'], 1);
    const lines = Array.from({ length: subjects }, (_, i) =>
      JSON.stringify({ ref: String(i), tokens: borrowerTokens(i * 7) }),
    );
    const client = await MemberClient.fromKeys(keysDir, REQUESTER, server.url);
    const screenStart = performance.now();
    const { jobId } = await client.screen(screenConsent?.consentId ?? '', `${lines.join('\n')}\n`);
    let job = await client.getScreen(jobId);
    while (job.state !== 'completed' && job.state !== 'failed') {
      await new Promise((r) => setTimeout(r, 50));
      job = await client.getScreen(jobId);
    }
    const screenRate = subjects / ((performance.now() - screenStart) / 1000);
    client.close();
    const rawRate = await rawProbeRate(server.context, subjects);
    const lookupBaseline = { name: 'bare Express over mTLS, same rate', value: baseline.p99, unit: 'ms p99' };
    return {
      bench: 'match',
      figures: [
        figure({
          name: `lookup throughput at ${rate} req/s offered, ${records.toLocaleString('en-US')} records`,
          value: match.rps,
          unit: 'req/s',
          baseline: { name: 'bare Express over mTLS', value: baseline.rps, unit: 'req/s' },
        }),
        figure({
          name: 'lookup latency p50',
          value: match.p50,
          unit: 'ms',
          baseline: { ...lookupBaseline, value: baseline.p50, unit: 'ms p50' },
        }),
        figure({
          name: 'lookup latency p99',
          value: match.p99,
          unit: 'ms',
          goal: '≤ 50 ms',
          met: match.p99 <= 50,
          baseline: lookupBaseline,
        }),
        figure({
          name: `screening ${subjects.toLocaleString('en-US')} subjects via API`,
          value: screenRate,
          unit: 'subjects/s',
          goal: '≥ 20,000 subjects/s',
          met: screenRate >= 20_000,
          baseline: {
            name: 'raw pipelined HMGET of the same index bucket fields',
            value: rawRate,
            unit: 'subjects/s',
          },
        }),
      ],
      details: {
        records,
        loadRecordsPerSecond: Math.round(loadRate),
        seconds,
        rate,
        match,
        cpuPerLookup,
        brokerEventLoopDelayMs: {
          p50: round(loopDelay.percentile(50) / 1e6, 1),
          p99: round(loopDelay.percentile(99) / 1e6, 1),
          max: round(loopDelay.max / 1e6, 1),
        },
        baseline,
        screenJob: job.state,
      },
    };
  } finally {
    await server.stop();
    await cleanPrefix(prefix);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  process.stdout.write(`${JSON.stringify(await benchMatch(), null, 2)}\n`);
}
