// DESIGN §5 crash test: SIGKILL the sequencer + checkpointer process while entries stream in;
// after a restart the log is consistent with every checkpoint signed before the crash and every
// acknowledged entry is present exactly once.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createEntry, parseEntry } from '../../src/ledger/entry.js';
import { trustCheckpoint } from '../../src/ledger/checkpoint-store.js';
import type { TrustedCheckpoint } from '../../src/ledger/checkpoint-store.js';
import { proveConsistency, readRoot } from '../../src/ledger/proofs.js';
import { verifyConsistency } from '../../src/ledger/verify.js';
import { toHex } from '../../src/util/bytes.js';
import { REDIS_URL, openTestLog } from './redis-log.js';
import type { TestLog } from './redis-log.js';

const LEASE_MS = 1000;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function startChild(log: TestLog): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/ledger/sequencer-child.ts'], {
    env: {
      ...process.env,
      REDIS_URL,
      LOG_PREFIX: log.prefix,
      LOG_KEY_NAME: log.logKey.name,
      LOG_KEY_SECRET: toHex(log.logKey.secretKey),
      LOG_KEY_PUBLIC: toHex(log.logKey.publicKey),
      LEASE_MS: String(LEASE_MS),
      CHECKPOINT_MS: '100',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const [line] = (await once(child.stdout as NodeJS.ReadableStream, 'data')) as [Buffer];
  assert.match(line.toString(), /ready/);
  return child;
}

describe('ledger crash test (child process, SIGKILL)', function () {
  this.timeout(60_000);
  let log: TestLog;
  let child: ChildProcess | undefined;
  before(async () => {
    log = await openTestLog();
  });
  after(async () => {
    child?.kill('SIGKILL');
    await log.close();
  });

  it('when the sequencer is SIGKILLed mid-stream and restarted, then every checkpoint stays consistent and no acknowledged entry is lost or doubled', async () => {
    const acked: number[] = [];
    const seen = new Map<string, TrustedCheckpoint>();
    let next = 0;
    let producing = true;
    const producer = (async () => {
      while (producing) {
        const batch = Array.from({ length: 40 }, () => next++);
        await Promise.all(
          batch.map(async (n) => {
            await log.store.enqueue(createEntry('consent.granted', { consentId: `c-${n}`, n }));
            acked.push(n);
          }),
        );
        await sleep(2);
      }
    })();
    const watcher = (async () => {
      while (producing) {
        const latest = await log.checkpoints.latest();
        if (latest) seen.set(latest.text, latest);
        await sleep(20);
      }
    })();

    child = await startChild(log);
    await sleep(1500);
    const before = (await log.store.head()).size;
    child.kill('SIGKILL');
    await once(child, 'exit');
    const ackedAtCrash = acked.length;
    const signedBeforeCrash = await log.checkpoints.history();
    for (const c of signedBeforeCrash) seen.set(c.text, c);
    const checkpointsAtCrash = [...seen.values()];
    await sleep(LEASE_MS / 2); // entries keep arriving while no sequencer runs
    child = await startChild(log);
    await sleep(1000);
    producing = false;
    await Promise.all([producer, watcher]);
    const total = acked.length;
    for (let i = 0; ; i++) {
      const latest = await log.checkpoints.latest();
      if ((await log.store.pendingCount()) === 0 && latest?.size === total) break;
      assert.ok(i < 500, 'the restarted sequencer did not catch up');
      await sleep(20);
    }
    child.kill('SIGTERM');
    await once(child, 'exit');
    child = undefined;

    const final = (await log.checkpoints.latest()) as TrustedCheckpoint;
    assert.deepEqual(await readRoot(log.store, final.size), final.root);
    for (const c of checkpointsAtCrash) {
      assert.deepEqual(trustCheckpoint(c.text, log.logKey).root, c.root);
      const proof = await proveConsistency(log.store, c.size, final.size);
      assert.ok(
        verifyConsistency(c.size, final.size, proof, c.root, final.root),
        `consistency ${c.size} → ${final.size}`,
      );
    }
    const counts = new Map<number, number>();
    for (let start = 0; start < final.size; start += 1000) {
      for (const text of await log.store.readEntries(start, Math.min(final.size, start + 1000))) {
        const n = parseEntry(text).body.n as number;
        counts.set(n, (counts.get(n) ?? 0) + 1);
      }
    }
    const missing = acked.filter((n) => counts.get(n) !== 1);
    assert.deepEqual(missing, [], 'acknowledged entries missing or doubled');
    assert.equal(counts.size, total);
    process.stdout.write(
      `      crash: ${ackedAtCrash} acked and ${before}+ sequenced at the kill, ` +
        `${checkpointsAtCrash.length} checkpoints signed before it (largest ${Math.max(...checkpointsAtCrash.map((c) => c.size))}), ` +
        `${total} acked in all, final size ${final.size}, all consistent\n`,
    );
  });
});
