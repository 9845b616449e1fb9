/**
 * Issue 3 log benchmark (DESIGN §5, RFC 9162 §2.1): (1) entries sequenced per second by the one
 * sequencer with the checkpointer signing every second, against the raw pipelined Redis write
 * rate of the same entry texts; (2) inclusion proofs generated from Redis and verified per second
 * at tree size 1,000,000 (indexes spread over the whole tree, so the lower levels come from Redis),
 * against the raw rate of HMGETs of as many fields as a proof has nodes.
 * Everything runs under a random key prefix on the real Redis and is deleted at the end.
 */
import { generateEd25519KeyPair } from '../src/crypto/ed25519.js';
import { randomId } from '../src/crypto/random.js';
import { CheckpointStore } from '../src/ledger/checkpoint-store.js';
import { Checkpointer } from '../src/ledger/checkpointer.js';
import { createEntry, entryLeafHash } from '../src/ledger/entry.js';
import { CACHED_NODE_LEVEL, LogStore } from '../src/ledger/log-store.js';
import { planInclusionProof, proveInclusion } from '../src/ledger/proofs.js';
import { Sequencer } from '../src/ledger/sequencer.js';
import type { NoteSigner } from '../src/ledger/signed-note.js';
import { appendLeaves, frontierNodeIds } from '../src/ledger/tree-nodes.js';
import { verifyInclusion } from '../src/ledger/verify.js';
import { createLogKeys } from '../src/store/keys.js';
import { createStoreClient } from '../src/store/redis.js';
import type { RedisClient } from '../src/store/redis.js';
import { figure, round, type BenchReport } from './lib.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const SEQUENCE_ENTRIES = Number(process.env.BENCH_LEDGER_ENTRIES ?? 100_000);
const TREE_SIZE = Number(process.env.BENCH_LEDGER_TREE ?? 1_000_000);
const PROOF_MS = 3000;
const CONCURRENCY = 64;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** A disclosure-shaped entry: ids, commitments and counts (~300 bytes canonical). */
function sampleEntry(n: number): string {
  return createEntry('disclosure', {
    requester: 'tencent',
    owner: 'ant',
    consentIndex: n,
    consentLeaf: 'q3mR2bH0l1u5xk9w0p4yGf8sZcN7aVdT6eJ1rQ2oL3M=',
    records: [`r-${n}-0001`, `r-${n}-0002`],
    groups: ['status', 'amounts'],
    commitment: 'Zb9fS0h8Q1x2Wc3Ve4Ud5Tf6Sg7Rh8Qi9Pj0Ok1Nl2=',
  });
}

async function usedMemory(client: RedisClient): Promise<number> {
  const info = await client.info('memory');
  return Number(/used_memory:(\d+)/.exec(info)?.[1] ?? 0);
}

async function deletePrefix(client: RedisClient, prefix: string): Promise<void> {
  for await (const keys of client.scanIterator({ MATCH: `${prefix}:*`, COUNT: 1000 })) {
    if (keys.length > 0) await client.unlink(keys);
  }
}

/** Raw floor: the same entry texts RPUSHed in pipelined batches of 1000. */
async function rawPipelinedWrites(
  client: RedisClient,
  key: string,
  texts: readonly string[],
): Promise<number> {
  const start = performance.now();
  for (let i = 0; i < texts.length; i += 1000) {
    const multi = client.multi();
    for (const text of texts.slice(i, i + 1000)) multi.rPush(key, text);
    await multi.execAsPipeline();
  }
  const seconds = (performance.now() - start) / 1000;
  await client.del(key);
  return texts.length / seconds;
}

async function sequencingRun(
  store: LogStore,
  checkpoints: CheckpointStore,
  signer: NoteSigner,
  texts: string[],
) {
  for (let i = 0; i < texts.length; i += 1000)
    await Promise.all(texts.slice(i, i + 1000).map((t) => store.enqueue(t)));
  let issued = 0;
  const counting = new Checkpointer(store, checkpoints, {
    signer,
    busyMs: 1000,
    onCheckpoint: () => issued++,
  });
  const sequencer = new Sequencer(store, { batchMax: 2000, idleMs: 1 });
  const start = performance.now();
  sequencer.start();
  counting.start();
  while ((await store.pendingCount()) > 0) await sleep(5);
  const seconds = (performance.now() - start) / 1000;
  await sequencer.stop();
  await counting.tick(true);
  await counting.stop();
  return { rate: texts.length / seconds, seconds, checkpoints: issued };
}

/** Builds a tree of `size` leaves straight through the commit script, 8192 entries a step. */
async function buildTree(store: LogStore, size: number): Promise<Uint8Array[]> {
  const sequencer = new Sequencer(store, { instance: 'bench-build', leaseMs: 60_000 });
  await sequencer.holdLease();
  const leaves: Uint8Array[] = [];
  let frontier: Uint8Array[] = [];
  for (let at = 0; at < size; at += 8192) {
    const texts = Array.from({ length: Math.min(8192, size - at) }, (_, i) =>
      createEntry('screen.completed', { n: at + i }),
    );
    const hashes = texts.map(entryLeafHash);
    const append = appendLeaves(at, frontier, hashes);
    const outcome = await store.commit({
      lease: sequencer.lease as string,
      expectedSize: at,
      append,
      entries: texts,
      pending: [],
    });
    if (outcome !== 'committed') throw new Error(`tree build commit: ${outcome}`);
    frontier = append.frontier;
    leaves.push(...hashes);
  }
  if (frontier.length !== frontierNodeIds(size).length) throw new Error('frontier mismatch');
  await sequencer.stop();
  return leaves;
}

async function concurrentRate(op: (i: number) => Promise<void>, ms = PROOF_MS): Promise<number> {
  let done = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async (_, w) => {
      for (let i = w; performance.now() - start < ms; i += CONCURRENCY) {
        await op(i);
        done++;
      }
    }),
  );
  return done / ((performance.now() - start) / 1000);
}

export async function benchLedger(): Promise<BenchReport> {
  const prefix = `bbbench-log-${randomId().slice(0, 8)}`;
  const client = createStoreClient(REDIS_URL);
  await client.connect();
  const { secretKey, publicKey } = generateEd25519KeyPair();
  const logKey = { name: 'bench.example/log', secretKey, publicKey };
  try {
    const keys = createLogKeys(`${prefix}:seq`);
    const store = new LogStore(client, keys);
    const checkpoints = new CheckpointStore(client, keys, logKey);
    const texts = Array.from({ length: SEQUENCE_ENTRIES }, (_, n) => sampleEntry(n));
    const raw = await rawPipelinedWrites(client, `${prefix}:raw`, texts);
    const seq = await sequencingRun(store, checkpoints, logKey, texts);

    const treeKeys = createLogKeys(`${prefix}:tree`);
    const tree = new LogStore(client, treeKeys);
    const before = await usedMemory(client);
    const buildStart = performance.now();
    const leaves = await buildTree(tree, TREE_SIZE);
    const buildSeconds = (performance.now() - buildStart) / 1000;
    const bytesPerEntry = ((await usedMemory(client)) - before) / TREE_SIZE;
    const root = (await tree.head()).root as Uint8Array;
    const pick = (i: number): number => (i * 2654435761) % TREE_SIZE;
    const proofRate = await concurrentRate(async (i) => {
      const index = pick(i);
      const proof = await proveInclusion(tree, index, TREE_SIZE);
      if (!verifyInclusion(leaves[index] as Uint8Array, index, TREE_SIZE, proof, root))
        throw new Error('proof failed');
    });
    const nodesPerProof = planInclusionProof(pick(7), TREE_SIZE).nodeIds.length;
    const sampled = Array.from({ length: 1000 }, (_, i) => planInclusionProof(pick(i), TREE_SIZE).nodeIds);
    const lowerPerProof =
      sampled.reduce((n, ids) => n + ids.filter((id) => id.level < CACHED_NODE_LEVEL).length, 0) /
      sampled.length;
    const hashKey = `${prefix}:rawhash`;
    const fields = Array.from({ length: 4096 }, (_, i) => String(i));
    await client.hSet(
      hashKey,
      Object.fromEntries(fields.map((f, i) => [f, Buffer.from(leaves[i] as Uint8Array)])),
    );
    const hmgetRate = await concurrentRate(async (i) => {
      await client.hmGet(hashKey, fields.slice(i % 4000, (i % 4000) + nodesPerProof));
    });
    return {
      bench: 'ledger',
      figures: [
        figure({
          name: `entries sequenced (${SEQUENCE_ENTRIES} entries, checkpoint every second)`,
          value: seq.rate,
          unit: 'entries/s',
          goal: '≥ 5,000 entries/s',
          met: seq.rate >= 5000,
          baseline: {
            name: 'raw pipelined RPUSH of the same entry texts',
            value: round(raw),
            unit: 'entries/s',
          },
          notes: `${round(seq.seconds, 2)} s, ${seq.checkpoints} checkpoints signed during the run`,
        }),
        figure({
          name: `inclusion proof generation + verification at size ${TREE_SIZE}`,
          value: proofRate,
          unit: 'proofs/s',
          goal: '≥ 10,000 proofs/s',
          met: proofRate >= 10_000,
          baseline: {
            name: `raw HMGET of ${nodesPerProof} fields (one proof's node count), ${CONCURRENCY} in flight`,
            value: round(hmgetRate),
            unit: 'reads/s',
          },
          notes:
            `${nodesPerProof} nodes per proof: levels ≥ ${CACHED_NODE_LEVEL} from the store's in-memory copy of ` +
            `immutable upper nodes once read, the other ${round(lowerPerProof, 1)} on average in one Lua round ` +
            'trip; every proof verified with RFC 9162 §2.1.3.2',
        }),
      ],
      details: {
        treeBuildSeconds: round(buildSeconds, 2),
        treeBuildEntriesPerSecond: round(TREE_SIZE / buildSeconds),
        redisBytesPerEntry: round(bytesPerEntry),
      },
    };
  } finally {
    await deletePrefix(client, prefix);
    await client.close();
  }
}
