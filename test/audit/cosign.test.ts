/**
 * `blindbroker audit verify | cosign` through the CLI against a real broker (issue 6, DESIGN §5,
 * C2SP tlog-cosignature): exit codes, incremental runs, and the cosigned checkpoint the broker
 * then serves. Real Redis under a random prefix, deleted by the harness.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeFile } from 'node:fs/promises';
import { LogClient } from '../../src/audit/log-client.js';
import { verifyMemberReceipts } from '../../src/audit/member-receipts.js';
import { toHex } from '../../src/util/bytes.js';
import { runAudit } from '../../src/audit/run.js';
import { main } from '../../src/cli/main.js';
import { loadAuditorIdentity } from '../../src/keys/load.js';
import { verifyCheckpoint } from '../../src/ledger/checkpoint.js';
import { verifyCosignature } from '../../src/ledger/cosignature.js';
import { startBroker } from '../api/harness.js';
import type { Broker } from '../api/harness.js';

describe('audit CLI and witness cosignatures', function () {
  this.timeout(60_000);
  let broker: Broker;
  let dir: string;

  const cli = (...args: string[]) =>
    main([
      'node',
      'blindbroker',
      'audit',
      ...args,
      '--auditor',
      'cbirc',
      '--keys',
      broker.keysDir,
      '--broker',
      broker.server.url,
      '--json',
    ]);
  const append = (n: number) =>
    Promise.all(
      Array.from({ length: n }, (_, i) =>
        broker.server.context.log.service.appendEntry('key.rotated', { n: i }),
      ),
    );

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'bb-cosign-'));
    broker = await startBroker();
    await append(5);
  });
  after(async () => {
    await broker?.stop();
    await rm(dir, { recursive: true, force: true });
  });
  afterEach(() => {
    process.exitCode = undefined;
  });

  it('when cosign runs before any verify, then it refuses (a witness vouches only for what it saw)', async () => {
    assert.equal(await cli('cosign', '--state', join(dir, 'none.json')), 2);
  });

  it('when verify runs on a clean log, then it exits 0; a later run checks only the new entries', async () => {
    const state = join(dir, 'state.json');
    assert.equal(await cli('verify', '--state', state, '--report', join(dir, 'r.html')), 0);
    await append(3);
    const second = await runAudit({
      keysDir: broker.keysDir,
      auditorId: 'cbirc',
      brokerUrl: broker.server.url,
      statePath: state,
    });
    assert.deepEqual(second.outcome.findings, []);
    assert.equal(second.outcome.trustOnFirstUse, false);
    assert.equal((second.outcome.toSize ?? 0) - second.outcome.fromSize, 3);
  });

  it('when the auditor cosigns, then the broker serves the checkpoint with a cosignature that verifies', async () => {
    assert.equal(await cli('cosign', '--state', join(dir, 'state.json')), 0);
    const me = await loadAuditorIdentity(broker.keysDir, 'cbirc');
    const client = new LogClient({ brokerUrl: broker.server.url, tls: me.tls, caCertPem: me.caCertPem });
    try {
      const note = await client.checkpoint(true);
      verifyCheckpoint(note, me.logKey);
      const { checkpoint } = verifyCosignature(note, me.witnessKey);
      assert.ok(checkpoint.size >= 8n);
      await assert.rejects(client.sendCosignature(note.replace(/\n\n[\s\S]*$/, '\n\n— x AAAAAAAA\n')), {
        code: 'LOG_UNSIGNED',
      });
    } finally {
      client.close();
    }
  });

  it('when a member verifies its receipts, then its entries are proven in the log and a forged receipt fails', async () => {
    const [r] = await append(1);
    assert.ok(r);
    const file = join(dir, 'receipts.jsonl');
    const good = { index: r.index, leafHash: toHex(r.leafHash) };
    const forged = { index: r.index, leafHash: 'ee'.repeat(32) };
    await writeFile(file, `${JSON.stringify(good)}\n${JSON.stringify(forged)}\n`);
    const checks = await verifyMemberReceipts(broker.keysDir, 'tencent', broker.server.url, file);
    assert.deepEqual(
      checks.map((c) => c.ok),
      [true, false],
    );
  });
});
