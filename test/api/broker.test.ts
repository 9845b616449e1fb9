/** Mutual TLS, refused manifests, body limits, withdraw and purge against a real broker and Redis. */
import assert from 'node:assert/strict';
import { request } from 'node:https';
import { Readable } from 'node:stream';
import { loadMemberIdentity } from '../../src/keys/load.js';
import { caPaths } from '../../src/keys/layout.js';
import { revokeCertificates } from '../../src/keys/revocation.js';
import { readFile } from 'node:fs/promises';
import { buildBatch, someRecords, tokensOf } from '../fixtures/batch.js';
import { copyConsortium, foreignCa, issueFor } from '../keys/fixture.js';
import { IndexKeyer } from '../../src/tokenize/index-key.js';
import { startBroker } from './harness.js';
import type { Broker } from './harness.js';

function get(
  url: string,
  tls: { certPem: string; keyPem: string },
  ca: string,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { cert: tls.certPem, key: tls.keyPem, ca }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

const text = (t: string) => [Buffer.from(t)];

describe('broker API', function () {
  this.timeout(60_000);
  let broker: Broker;

  before(async () => {
    broker = await startBroker({ broker: { maxBodyBytes: 64 * 1024 } });
  });
  after(async () => {
    await broker?.stop();
  });

  describe('mutual TLS', () => {
    it('when a consortium member connects, then it is accepted and named by its certificate', async () => {
      const me = await loadMemberIdentity(broker.keysDir, 'tencent');
      const res = await get(`${broker.server.url}/healthz`, me.tls, me.caCertPem);
      assert.equal(res.status, 200);
    });

    it('when a client presents a certificate of another CA, then the TLS handshake is refused', async () => {
      const me = await loadMemberIdentity(broker.keysDir, 'tencent');
      const other = await issueFor(await foreignCa(), 'member', 'tencent', ['tls-client']);
      await assert.rejects(get(`${broker.server.url}/healthz`, other, me.caCertPem));
    });

    it('when a client certificate has expired, then the TLS handshake is refused', async () => {
      const dir = broker.keysDir;
      const me = await loadMemberIdentity(dir, 'tencent');
      const ca = { certPem: me.caCertPem, keyPem: await readFile(caPaths(dir).key, 'utf8') };
      const old = await issueFor(ca, 'member', 'tencent', ['tls-client'], {
        days: 1,
        notBefore: new Date(Date.now() - 3 * 86_400_000),
      });
      await assert.rejects(get(`${broker.server.url}/healthz`, old, me.caCertPem));
    });

    it('when a member certificate is revoked, then every call answers 403 CERT_REVOKED', async () => {
      const dir = await copyConsortium();
      await revokeCertificates(dir, { party: 'member:didi' });
      const revokedBroker = await startBroker({ keysDir: dir }, { workers: [] });
      try {
        const client = await revokedBroker.client('didi');
        await assert.rejects(client.listSubmissions(), { code: 'CERT_REVOKED' });
        const ok = await revokedBroker.client('ant');
        assert.deepEqual(await ok.listSubmissions(), []);
      } finally {
        await revokedBroker.stop();
      }
    });
  });

  describe('refused batches', () => {
    it('when the manifest signature is altered, then the job fails with SIG_INVALID and stores nothing', async () => {
      const client = await broker.client('tencent');
      const batch = await buildBatch(broker.keysDir, 'tencent', someRecords(3, 'sig'));
      const manifest = JSON.parse(batch.lines[0]!) as { sig: string };
      manifest.sig = `${manifest.sig.startsWith('A') ? 'B' : 'A'}${manifest.sig.slice(1)}`;
      const tampered = [JSON.stringify(manifest), ...batch.lines.slice(1)].join('\n') + '\n';
      const job = await client.waitForJob((await client.submitBatch(text(tampered))).jobId);
      assert.equal(job.state, 'failed');
      assert.match(job.failedReason ?? '', /^SIG_INVALID/);
      assert.equal(job.attempts, 1, 'an invalid signature is not retried');
      assert.equal(await broker.server.context.records.getRecord('tencent', 'sig-0'), undefined);
    });

    it('when a member submits a batch signed by another member, then the job fails with SIGNER_MISMATCH', async () => {
      const client = await broker.client('tencent');
      const batch = await buildBatch(broker.keysDir, 'tencent', someRecords(2, 'sm'), { signAs: 'ant' });
      const job = await client.waitForJob((await client.submitBatch(text(batch.text))).jobId);
      assert.match(job.failedReason ?? '', /^SIGNER_MISMATCH/);
    });

    it('when the record lines do not match recordsDigest, then the job fails with RECORDS_DIGEST', async () => {
      const client = await broker.client('tencent');
      const batch = await buildBatch(broker.keysDir, 'tencent', someRecords(2, 'dg'), {
        recordsDigest: '0'.repeat(64),
      });
      const job = await client.waitForJob((await client.submitBatch(text(batch.text))).jobId);
      assert.match(job.failedReason ?? '', /^RECORDS_DIGEST/);
    });

    it('when a file is larger than the limit, then it is refused with 413 BODY_TOO_LARGE before upload', async () => {
      const client = await broker.client('tencent');
      const batch = await buildBatch(broker.keysDir, 'tencent', someRecords(200, 'big'));
      const { writeFile, mkdtemp } = await import('node:fs/promises');
      const { join } = await import('node:path');
      const { tmpdir } = await import('node:os');
      const file = join(await mkdtemp(join(tmpdir(), 'bb-')), 'batch.ndjson');
      await writeFile(file, batch.text);
      await assert.rejects(client.submitBatch(file), { code: 'BODY_TOO_LARGE' });
    });

    it('when a streamed body grows past the limit, then it is cut off with 413 and nothing stays staged', async () => {
      const client = await broker.client('tencent');
      const batch = await buildBatch(broker.keysDir, 'tencent', someRecords(200, 'big2'));
      await assert.rejects(client.submitBatch(Readable.from(text(batch.text))), { code: 'BODY_TOO_LARGE' });
      const { keysUnder } = await import('./harness.js');
      assert.deepEqual(
        (await keysUnder(broker.config.redis.prefix)).filter((k) => k.includes(':stage:')),
        [],
      );
    });

    it('when a batch is ingested, then its staged upload is dropped once the job is recorded completed', async () => {
      const client = await broker.client('tencent');
      const batch = await buildBatch(broker.keysDir, 'tencent', someRecords(3, 'drop'));
      const { jobId } = await client.submitBatch(text(batch.text));
      const job = await client.waitForJob(jobId);
      assert.equal(job.result?.accepted, 3);
      const { keysUnder } = await import('./harness.js');
      const staged = async () =>
        (await keysUnder(broker.config.redis.prefix)).filter((k) => k.includes(`:stage:${jobId}`));
      const deadline = Date.now() + 5000;
      while ((await staged()).length > 0 && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 20));
      assert.deepEqual(await staged(), []);
    });

    it('when a job id belongs to another member, then it answers 404 JOB_NOT_FOUND', async () => {
      const tencent = await broker.client('tencent');
      const batch = await buildBatch(broker.keysDir, 'tencent', someRecords(1, 'own'));
      const { jobId } = await tencent.submitBatch(text(batch.text));
      const ant = await broker.client('ant');
      await assert.rejects(ant.getJob(jobId), { code: 'JOB_NOT_FOUND' });
    });
  });

  describe('withdraw and purge', () => {
    it('when a member withdraws a record, then the record and its index entries are gone', async () => {
      const client = await broker.client('baihe');
      const specs = someRecords(3, 'wd');
      const batch = await buildBatch(broker.keysDir, 'baihe', specs);
      await client.waitForJob((await client.submitBatch(text(batch.text))).jobId);
      const keyer = new IndexKeyer(
        (await import('../../src/keys/load.js').then((m) => m.loadBrokerKeys(broker.keysDir))).indexKey,
      );
      const spec = specs[0] as { ids: Record<string, string> };
      const indexKey = keyer.indexKeyOf(tokensOf(spec.ids).phone!);
      const records = broker.server.context.records;
      assert.deepEqual(await records.recordIdsFor('baihe', indexKey), ['wd-0']);
      await client.withdraw('wd-0');
      assert.deepEqual(await records.recordIdsFor('baihe', indexKey), []);
      assert.equal(await records.getRecord('baihe', 'wd-0'), undefined);
      await assert.rejects(client.withdraw('wd-0'), { code: 'RECORD_NOT_FOUND' });
      const sub = (await client.listSubmissions()).find((s) => s.batchId === batch.batchId);
      assert.equal(sub?.withdrawn, 1);
    });

    it('when records pass their data life, then the purge job deletes them and their index entries', async () => {
      const client = await broker.client('ant');
      const batch = await buildBatch(broker.keysDir, 'ant', someRecords(4, 'pg'), { dataLifeDays: 1 });
      await client.waitForJob((await client.submitBatch(text(batch.text))).jobId);
      const { purge } = broker.server.context.queues;
      const schedulers = await purge.getJobSchedulers();
      assert.ok(
        schedulers.some((s) => s.key === 'purge-expired'),
        'a repeatable purge is scheduled',
      );
      const job = await purge.add('purge', { asOf: Date.now() + 2 * 86_400_000 });
      for (let i = 0; i < 100 && !(await job.isCompleted()); i++)
        await new Promise((r) => setTimeout(r, 100));
      assert.equal(await broker.server.context.records.getRecord('ant', 'pg-0'), undefined);
      const sub = (await client.listSubmissions()).find((s) => s.batchId === batch.batchId);
      assert.equal(sub?.purged, 4);
    });
  });
});
