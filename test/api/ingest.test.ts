/** Ingest through the API end to end: accepted batches, idempotent re-submit, per-record rejects. */
import assert from 'node:assert/strict';
import { buildBatch, recordLine, someRecords } from '../fixtures/batch.js';
import { keysUnder, startBroker } from './harness.js';
import type { Broker } from './harness.js';

describe('broker ingest', function () {
  this.timeout(60_000);
  let broker: Broker;

  before(async () => {
    broker = await startBroker();
  });
  after(async () => {
    await broker?.stop();
  });

  it('when a member submits a valid signed batch, then every record is stored and the job reports counts', async () => {
    const client = await broker.client('tencent');
    const batch = await buildBatch(broker.keysDir, 'tencent', someRecords(50));
    const accepted = await client.submitBatch([Buffer.from(batch.text)]);
    assert.equal(accepted.batchId, batch.batchId);
    const job = await client.waitForJob(accepted.jobId);
    assert.equal(job.state, 'completed', job.failedReason);
    assert.equal(job.result?.accepted, 50);
    assert.equal(job.result?.rejected, 0);
    const subs = await client.listSubmissions();
    assert.equal(subs.find((s) => s.batchId === batch.batchId)?.accepted, 50);
  });

  it('when the same batch is submitted twice, then the second answers the same result and stores nothing new', async () => {
    const client = await broker.client('ant');
    const batch = await buildBatch(broker.keysDir, 'ant', someRecords(20, 'ant'));
    const first = await client.waitForJob((await client.submitBatch([Buffer.from(batch.text)])).jobId);
    const keysBefore = (await keysUnder(broker.config.redis.prefix)).length;
    const second = await client.waitForJob((await client.submitBatch([Buffer.from(batch.text)])).jobId);
    assert.equal(second.state, 'completed');
    assert.deepEqual(second.result, first.result);
    const subs = (await client.listSubmissions()).filter((s) => s.batchId === batch.batchId);
    assert.equal(subs.length, 1);
    assert.equal(subs[0]?.accepted, 20);
    const ids = await broker.server.context.records.expiredRecordIds('ant', Number.MAX_SAFE_INTEGER, 1000);
    assert.equal(ids.length, 20);
    const keysAfter = await keysUnder(broker.config.redis.prefix);
    assert.ok(keysAfter.length - keysBefore <= 2, 'only the second job keys may appear');
  });

  it('when a batch is ingested, then one submission.accepted entry with its commitment and counts is in the log, also after a re-submission', async () => {
    const client = await broker.client('tencent');
    const batch = await buildBatch(broker.keysDir, 'tencent', someRecords(5, 'tencent'));
    const first = await client.waitForJob((await client.submitBatch([Buffer.from(batch.text)])).jobId);
    const second = await client.waitForJob((await client.submitBatch([Buffer.from(batch.text)])).jobId);
    const where = first.result?.log;
    assert.ok(where, 'the job result says where the entry is');
    assert.deepEqual(second.result?.log, where);
    const log = broker.server.context.log;
    const size = (await log.store.head()).size;
    const entries = (await log.store.readEntries(0, size)).map(
      (t) => JSON.parse(t) as { kind: string; body: Record<string, unknown> },
    );
    const mine = entries.filter((e) => e.kind === 'submission.accepted' && e.body.batchId === batch.batchId);
    assert.equal(mine.length, 1);
    assert.deepEqual(
      {
        member: mine[0]?.body.member,
        records: mine[0]?.body.records,
        accepted: mine[0]?.body.accepted,
        rejected: mine[0]?.body.rejected,
      },
      { member: 'tencent', records: 5, accepted: 5, rejected: 0 },
    );
    assert.equal(JSON.stringify(entries[where.index]), JSON.stringify(mine[0]));
    assert.ok(!JSON.stringify(mine[0]).includes('envelope') && !JSON.stringify(mine[0]).includes('tokens'));
  });

  it('when some records are bad, then each is rejected with its line number and code and the rest are stored', async () => {
    const client = await broker.client('didi');
    const good = someRecords(3, 'didi');
    const specs = [
      good[0]!,
      { line: '{not json' },
      {
        line: JSON.stringify({
          recordId: 'x1',
          tokens: { phone: 'short' },
          meta: { state: 'active' },
          envelope: {},
        }),
      },
      { line: recordLine('didi', { recordId: 'x2', ids: { phone: '+8613900000001' }, owner: 'ant' }) },
      { line: JSON.stringify({ recordId: 'x3', tokens: {}, meta: { state: 'weird' }, envelope: {} }) },
      good[1]!,
      good[1]!,
      {
        line: JSON.stringify({
          recordId: 'x4',
          tokens: { phone: 'AAAAAAAAAAAAAAAAAAAAAA' },
          meta: { state: 'active' },
          envelope: { v: 'bb1' },
        }),
      },
      good[2]!,
    ];
    const batch = await buildBatch(broker.keysDir, 'didi', specs);
    const job = await client.waitForJob((await client.submitBatch([Buffer.from(batch.text)])).jobId);
    assert.equal(job.state, 'completed', job.failedReason);
    assert.equal(job.result?.accepted, 3);
    assert.deepEqual(
      job.result?.rejects.map((r) => [r.line, r.code]),
      [
        [3, 'BAD_JSON'],
        [4, 'BAD_TOKEN'],
        [5, 'OWNER_MISMATCH'],
        [6, 'BAD_TOKEN'],
        [8, 'DUPLICATE_RECORD'],
        [9, 'ENVELOPE_MALFORMED'],
      ],
    );
  });
});
