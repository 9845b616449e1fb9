/**
 * `blindbroker demo`: the whole system on one machine, narrated. In a temporary folder it makes a
 * consortium (tencent, ant, didi, baihe and an auditor), synthetic overlapping loan books, has each
 * member prepare and submit, runs ant's consented lookup and screening, revokes the consent, has
 * the auditor verify the log, and ends with a PII scan of everything the broker stored and logged.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { parse } from 'csv-parse/sync';
import { startServer, type RunningServer } from '../api/server.js';
import { MemberClient } from '../client/member-client.js';
import { configSchema } from '../config/schema.js';
import { randomId } from '../crypto/random.js';
import { BrokerError } from '../errors.js';
import { initKeys } from '../keys/init.js';
import { loadMemberIdentity } from '../keys/load.js';
import { loadMapping } from '../member/mapping.js';
import { prepareBatch } from '../member/prepare.js';
import { createLogger } from '../ops/logger.js';
import { findPii, piiSet, type RawPerson } from '../privacy/pii-scan.js';
import { dumpPrefix } from '../privacy/redis-dump.js';
import { signObject } from '../signing/signed-object.js';
import { runConsentedSteps } from './consented-steps.js';
import { Narrator } from './narrator.js';
import { ensureRedis, type DemoRedis } from './redis.js';
import { startDemoTokens, type DemoTokenizerMode, type DemoTokens } from './tokens.js';
import { buildDemoWorld, DEMO_MEMBERS, type DemoWorld } from './world.js';

export interface DemoOptions {
  redisUrl: string;
  loansPerMember: number;
  json: boolean;
  keep: boolean;
  /** Default hmac; oprf runs an in-process token authority (DESIGN §2). */
  tokenizer?: DemoTokenizerMode;
}

export interface DemoResult {
  ok: boolean;
  elapsedMs: number;
  dir: string;
  steps: Narrator['steps'];
}

interface DemoState {
  dir: string;
  keysDir: string;
  world: DemoWorld;
  redis: DemoRedis;
  prefix: string;
  server?: RunningServer;
  logs: string[];
  clients: Map<string, MemberClient>;
  tokens: DemoTokens;
  /** The member's tokenizer in the demo's mode: every step that tokenizes gets it here. */
  tokenizerFor: DemoTokens['tokenizerFor'];
}

async function prepareAll(state: DemoState) {
  const batches: Record<string, { out: string; accepted: number; rejected: number; tokens: number }> = {};
  for (const member of DEMO_MEMBERS) {
    const identity = await loadMemberIdentity(state.keysDir, member);
    const source = state.world.exports[member];
    const out = join(state.dir, `${member}.batch.ndjson`);
    const summary = await prepareBatch({
      ...(await state.tokens.prepareSource(member)),
      member,
      input: source.csv,
      output: out,
      errors: join(state.dir, `${member}.errors.csv`),
      mapping: loadMapping(source.mapping),
      signManifest: (body) =>
        signObject('batch.manifest', body, { role: 'member', id: member, signing: identity.signing }),
      threads: availableParallelism(),
    });
    batches[member] = { out, accepted: summary.accepted, rejected: summary.rejected, tokens: summary.tokens };
  }
  return batches;
}

async function startBroker(state: DemoState): Promise<RunningServer> {
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      state.logs.push(chunk.toString('utf8'));
      done();
    },
  });
  const config = configSchema.parse({
    keysDir: state.keysDir,
    redis: { url: state.redis.url, prefix: state.prefix },
    broker: { host: '127.0.0.1', port: 0 },
    logLevel: 'info',
  });
  return startServer(config, { logger: createLogger('info', sink) });
}

async function client(state: DemoState, member: string): Promise<MemberClient> {
  let c = state.clients.get(member);
  if (!c) {
    if (!state.server) throw new BrokerError('DEMO_STATE', 'the broker is not running');
    c = await MemberClient.fromKeys(state.keysDir, member, state.server.url);
    state.clients.set(member, c);
  }
  return c;
}

async function submitAll(state: DemoState, batches: Record<string, { out: string }>) {
  const results: Record<string, { accepted: number; rejected: number }> = {};
  for (const member of DEMO_MEMBERS) {
    const c = await client(state, member);
    const { jobId } = await c.submitBatch(batches[member]?.out ?? '');
    const job = await c.waitForJob(jobId, { timeoutMs: 60_000 });
    if (job.state !== 'completed' || !job.result) {
      throw new BrokerError(
        'DEMO_FAILED',
        `ingest of ${member}'s batch ended ${job.state}: ${job.failedReason ?? ''}`,
      );
    }
    results[member] = { accepted: job.result.accepted, rejected: job.result.rejected };
  }
  return results;
}

async function rawPeople(world: DemoWorld): Promise<RawPerson[]> {
  const people: RawPerson[] = [];
  for (const member of DEMO_MEMBERS) {
    const rows = parse(await readFile(world.exports[member].csv, 'utf8'), { columns: true }) as Record<
      string,
      string
    >[];
    for (const r of rows) people.push({ idNumber: r.id_number, phone: r.phone, name: r.name });
  }
  return people;
}

async function piiScan(state: DemoState) {
  const pii = piiSet(await rawPeople(state.world));
  const context = state.server?.context;
  if (!context) throw new BrokerError('DEMO_STATE', 'the broker is not running');
  let keys = 0;
  const hits: string[] = [];
  for await (const page of dumpPrefix(context.client, state.prefix)) {
    keys += page.length;
    for (const { key, text } of page) hits.push(...findPii(text, pii, `redis key ${key}`));
  }
  hits.push(...findPii(state.logs.join(''), pii, 'broker log'));
  return {
    keysScanned: keys,
    logLines: state.logs.length,
    identifiersSearched: pii.digitStrings.size,
    hits: hits.length,
    where: hits.slice(0, 5),
  };
}

async function makeKeys(say: Narrator, keysDir: string, tokenizer: DemoTokenizerMode): Promise<void> {
  await say.step(
    'Consortium keys (node-forge CA, SHA-256 certificates)',
    async () => {
      const s = await initKeys({
        dir: keysDir,
        consortium: 'demo',
        members: [...DEMO_MEMBERS],
        auditors: ['pboc'],
        operators: ['ops'],
        days: 30,
        force: false,
        tokenizer,
      });
      return { certificates: s.certificates.length };
    },
    (f) => [
      `${f.certificates} certificates for ${DEMO_MEMBERS.join(', ')}, auditor pboc, the broker and the token authority`,
      tokenizer === 'oprf'
        ? 'tokenizer oprf: tokens come from the token authority’s OPRF key; nobody can compute one offline'
        : 'the consortium token secret is wrapped to each member; the broker holds no copy',
    ],
  );
}

/** The steps that need the broker; returns whether every check held. */
async function runFlow(say: Narrator, state: DemoState): Promise<boolean> {
  const batches = await say.step(
    'Each member prepares its batch on its own premises',
    () => prepareAll(state),
    (b) =>
      DEMO_MEMBERS.map(
        (m) =>
          `${m}: ${b[m]?.accepted} records sealed, ${b[m]?.tokens} tokens, ${b[m]?.rejected} rows rejected with reasons`,
      ),
  );
  state.server = await say.step(
    'The broker starts (mutual TLS, BullMQ workers, Redis)',
    () => startBroker(state),
    (s) => [`listening on ${s.url}, key prefix ${state.prefix}`],
  );
  await say.step(
    'Members submit their signed batches',
    () => submitAll(state, batches),
    (r) =>
      DEMO_MEMBERS.map((m) => `${m}: ${r[m]?.accepted} stored, ${r[m]?.rejected} rejected by the broker`),
  );
  const consented = await runConsentedSteps(say, {
    parties: {
      keysDir: state.keysDir,
      client: (member) => client(state, member),
      tokenizer: (member) => state.tokenizerFor(member),
    },
    applicant: state.world.applicant,
    portfolio: state.world.portfolio,
    brokerUrl: state.server.url,
    dir: state.dir,
  });
  const scan = await say.step(
    'PII scan of everything the broker stored and logged',
    () => piiScan(state),
    (s) => [
      `${s.keysScanned} Redis keys and ${s.logLines} log lines searched for ${s.identifiersSearched} raw identifiers, phones and every name`,
      s.hits === 0 ? 'no raw PII found' : `FOUND ${s.hits} leaks: ${s.where.join('; ')}`,
    ],
  );
  return consented && scan.hits === 0;
}

/** Deletes only the demo's own keys, then stops the broker. */
async function stopBroker(state: DemoState): Promise<void> {
  for (const c of state.clients.values()) c.close();
  if (!state.server) return;
  const { client: redisClient } = state.server.context;
  for await (const keys of redisClient.scanIterator({ MATCH: `${state.prefix}:*`, COUNT: 1000 })) {
    if (keys.length > 0) await redisClient.del(keys);
  }
  await state.server.stop();
}

/** Runs the demo; never leaves keys in Redis, a private redis-server or (without --keep) files behind. */
export async function runDemo(options: DemoOptions): Promise<DemoResult> {
  const say = new Narrator(options.json);
  const dir = await mkdtemp(join(tmpdir(), 'blindbroker-demo-'));
  let ok: boolean;
  try {
    const redis = await say.step(
      'Redis',
      () => ensureRedis(options.redisUrl),
      (r) => [
        r.private
          ? `no Redis answered at ${options.redisUrl}; started a private one at ${r.url}`
          : `using ${r.url}`,
      ],
    );
    try {
      const keysDir = join(dir, 'keys');
      const mode = options.tokenizer ?? 'hmac';
      await makeKeys(say, keysDir, mode);
      const world = await say.step(
        'Synthetic loan books',
        () => buildDemoWorld(dir, options.loansPerMember),
        (w) => [
          ...DEMO_MEMBERS.map(
            (m) =>
              `${m}: ${w.exports[m].rows} loans${w.exports[m].withoutId ? `, ${w.exports[m].withoutId} known only by phone and name` : ''}`,
          ),
          'one applicant has loans at tencent and baihe (by resident ID) and at didi (by phone and name only)',
        ],
      );
      const start = () => startDemoTokens(keysDir, mode, []);
      const tokens =
        mode === 'hmac'
          ? await start()
          : await say.step(
              'The token authority starts (RFC 9497 VOPRF, mutual TLS, per-member limits)',
              start,
              (t) => [
                `listening on ${t.authorityUrl}; members blind identifiers, it evaluates them and proves each batch`,
              ],
            );
      const state: DemoState = {
        dir,
        keysDir,
        world,
        redis,
        prefix: `demo-${randomId().slice(0, 8)}`,
        logs: [],
        clients: new Map(),
        tokens,
        tokenizerFor: (member) => tokens.tokenizerFor(member),
      };
      try {
        ok = await runFlow(say, state);
      } finally {
        await stopBroker(state).finally(() => tokens.stop());
      }
    } finally {
      await redis.stop();
    }
  } finally {
    if (!options.keep) await rm(dir, { recursive: true, force: true });
  }
  say.note(
    `\n${ok ? 'demo complete' : 'demo FAILED'} in ${(say.elapsedMs / 1000).toFixed(1)} s${options.keep ? `; files kept in ${dir}` : ''}`,
  );
  return { ok, elapsedMs: say.elapsedMs, dir, steps: say.steps };
}
