/**
 * Multi-lending screening and operator overlap statistics end to end over HTTPS (DESIGN §6
 * `screen`): counts from declared metadata only, other lenders only, the purpose's small-count
 * rule, owner policies, `screen.completed` in the log, and pairwise overlap with "<k".
 */
import assert from 'node:assert/strict';
import { MemberClient } from '../../src/client/member-client.js';
import { operatorPaths, caPaths } from '../../src/keys/layout.js';
import { readFile } from 'node:fs/promises';
import { startBroker } from '../api/harness.js';
import type { Broker } from '../api/harness.js';
import { grantConsent, loggedEntry, memberTokenizer, setPolicy, submitLoans, tokensFor } from './world.js';
import type { Ids } from './world.js';

const S1: Ids = { cn_rid: '11010519491231002X', phone: '+8613812345678', name: '张伟' };
const S2: Ids = { cn_rid: '110105194912310029', phone: '+8613900000001', name: '李娜' };
const S3: Ids = { cn_rid: '110105194912310037', phone: '+8613900000002', name: '王芳' };

describe('screening (screen jobs) and overlap statistics', function () {
  this.timeout(120_000);
  let broker: Broker;

  before(async () => {
    broker = await startBroker();
    await submitLoans(broker, 'ant', [
      { recordId: 'a1', ids: { cn_rid: S1.cn_rid! } },
      { recordId: 'a2', ids: { cn_rid: S2.cn_rid! } },
      { recordId: 'a3', ids: { phone: S3.phone! } },
    ]);
    await submitLoans(broker, 'didi', [
      { recordId: 'd2', ids: { phone: S2.phone!, name: S2.name! }, state: 'delinquent' },
    ]);
    await submitLoans(broker, 'baihe', [
      { recordId: 'b2', ids: { cn_rid: S2.cn_rid! } },
      { recordId: 'b2x', ids: { cn_rid: S2.cn_rid! }, state: 'closed' },
    ]);
    await submitLoans(broker, 'tencent', [{ recordId: 't2', ids: { cn_rid: S2.cn_rid! } }]);
  });
  after(async () => {
    await broker?.stop();
  });

  async function screen(rows: Ids[]): Promise<Array<Record<string, unknown>>> {
    const tokenizer = await memberTokenizer(broker.keysDir, 'tencent');
    const c = await grantConsent(broker, 'tencent', S1, {
      purpose: 'portfolio_screening',
      groups: ['status'],
      frequency: { unit: 'MONTH', value: 1 },
    });
    const ndjson = rows
      .map((ids, i) => JSON.stringify({ ref: `row-${i + 1}`, tokens: tokensFor(tokenizer, ids) }))
      .join('\n');
    const client = await broker.client('tencent');
    const { jobId } = await client.screen(c.consentId, ndjson);
    let job = await client.getScreen(jobId);
    for (let i = 0; i < 200 && job.state !== 'completed' && job.state !== 'failed'; i++) {
      await new Promise((r) => setTimeout(r, 50));
      job = await client.getScreen(jobId);
    }
    assert.equal(job.state, 'completed', job.failedReason);
    assert.equal(job.progress, 100);
    const result = job.result as unknown as { receipt: { index: number }; subjects: number };
    assert.equal(result.subjects, rows.length);
    const entry = JSON.parse(await loggedEntry(broker, 'tencent', result.receipt.index)) as {
      kind: string;
      body: Record<string, unknown>;
    };
    assert.equal(entry.kind, 'screen.completed');
    assert.equal(entry.body.subjects, rows.length);
    return (await client.screenRows(jobId)) as Array<Record<string, unknown>>;
  }

  it('when subjects are screened, then each row counts other lenders and loans from metadata, under the small-count rule', async () => {
    const rows = await screen([S1, S2, S3]);
    assert.deepEqual(rows, [
      { ref: 'row-1', otherLenders: '<3', activeLoans: '<3', delinquentLoans: '<3' },
      { ref: 'row-2', otherLenders: 3, activeLoans: '<3', delinquentLoans: '<3' },
      { ref: 'row-3', otherLenders: '<3', activeLoans: '<3', delinquentLoans: '<3' },
    ]);
  });

  it('when a portfolio spans more chunks than are probed at once, then every row comes back once, in order', async () => {
    const pattern: Ids[] = [S1, S2, S3, { cn_rid: '110105194912310045' }];
    const rows = Array.from({ length: 10_500 }, (_, i) => pattern[i % pattern.length] as Ids);
    const answered = await screen(rows);
    assert.equal(answered.length, rows.length);
    answered.forEach((row, i) => assert.equal(row.ref, `row-${i + 1}`));
    const first = answered.slice(0, pattern.length).map(({ ref: _ref, ...counts }) => counts);
    answered.forEach(({ ref: _ref, ...counts }, i) => assert.deepEqual(counts, first[i % pattern.length]));
  });

  it('when an owner keeps its records out of aggregate answers, then it is not counted', async () => {
    await setPolicy(broker, 'baihe', { version: 1, output: { records: true, aggregate: false } });
    const rows = await screen([S2]);
    assert.equal(rows[0]?.otherLenders, '<3');
  });

  it('when a record-level consent is used to screen, then the job fails with CONSENT_WRONG_PURPOSE', async () => {
    const c = await grantConsent(broker, 'tencent', S1);
    const client = await broker.client('tencent');
    const tokenizer = await memberTokenizer(broker.keysDir, 'tencent');
    const { jobId } = await client.screen(
      c.consentId,
      JSON.stringify({ ref: 'r', tokens: tokensFor(tokenizer, S2) }),
    );
    let job = await client.getScreen(jobId);
    for (let i = 0; i < 100 && job.state !== 'failed' && job.state !== 'completed'; i++) {
      await new Promise((r) => setTimeout(r, 50));
      job = await client.getScreen(jobId);
    }
    assert.equal(job.state, 'failed');
    assert.match(job.failedReason ?? '', /^CONSENT_WRONG_PURPOSE/);
    await assert.rejects(client.screenRows(jobId), { code: 'JOB_NOT_FINISHED' });
  });

  it('when the operator asks for overlap, then pairs are counted and small counts shown as <k; members are refused', async () => {
    const ops = operatorPaths(broker.keysDir, 'ops');
    const operator = new MemberClient({
      brokerUrl: broker.server.url,
      tls: { certPem: await readFile(ops.cert, 'utf8'), keyPem: await readFile(ops.key, 'utf8') },
      caCertPem: await readFile(caPaths(broker.keysDir).cert, 'utf8'),
    });
    try {
      const stats = (await operator.overlap()) as {
        k: number;
        pairs: Array<{ a: string; b: string; aRecords: unknown; bRecords: unknown }>;
      };
      assert.equal(stats.k, 3);
      const pair = stats.pairs.find((p) => p.a === 'ant' && p.b === 'baihe');
      assert.deepEqual(pair, { a: 'ant', b: 'baihe', aRecords: '<3', bRecords: '<3' });
      assert.equal(stats.pairs.length, 6);
    } finally {
      operator.close();
    }
    await assert.rejects((await broker.client('ant')).overlap(), { code: 'ROLE_FORBIDDEN' });
  });
});
