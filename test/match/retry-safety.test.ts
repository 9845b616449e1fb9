/**
 * Retry safety and revocation races of match jobs (DESIGN §4 "a queued job can outlive a
 * revocation", §5, §6 "retries never duplicate a disclosure or a log entry"), against a real
 * broker (Redis, log, sequencer): the job's domain step is run directly with ports that fail or
 * revoke at a chosen moment, as a worker dying or a borrower withdrawing mid-job would.
 */
import assert from 'node:assert/strict';
import { randomId } from '../../src/crypto/random.js';
import { parseEntry } from '../../src/ledger/entry.js';
import { runMatch } from '../../src/match/lookup.js';
import type { MatchDeps } from '../../src/match/lookup.js';
import { startBroker } from '../api/harness.js';
import type { Broker } from '../api/harness.js';
import { grantConsent, lifecycleRequest, submitLoans } from './world.js';
import type { Ids } from './world.js';

const BORROWER: Ids = { cn_rid: '11010519491231002X', phone: '+8613812345678', name: '张伟' };

describe('match jobs: retries and revocation races', function () {
  this.timeout(120_000);
  let broker: Broker;
  let deps: MatchDeps;

  before(async () => {
    broker = await startBroker();
    deps = broker.server.context.matching.matchDeps;
    await submitLoans(broker, 'ant', [{ recordId: 'ant-1', ids: { cn_rid: BORROWER.cn_rid! } }]);
    await submitLoans(broker, 'didi', [
      { recordId: 'didi-1', ids: { cn_rid: BORROWER.cn_rid!, phone: BORROWER.phone! } },
    ]);
  });
  after(async () => {
    await broker?.stop();
  });

  /** Every log entry of `jobId`, by kind. */
  async function entriesOf(jobId: string): Promise<Map<string, number>> {
    const { store } = broker.server.context.log;
    const size = (await store.head()).size;
    const counts = new Map<string, number>();
    for (const text of await store.readEntries(0, size)) {
      const entry = parseEntry(text);
      if (entry.body.jobId !== jobId) continue;
      const key = entry.kind === 'disclosure' ? `disclosure ${String(entry.body.recordId)}` : entry.kind;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    return counts;
  }

  async function releaseEvents(owner: string, jobId: string): Promise<number> {
    const feed = await (await broker.client(owner)).events('0', 1000);
    return feed.events.filter((e) => e.type === 'release' && e.jobId === jobId).length;
  }

  it('when a worker dies between the log append and saving its receipts, then the retried job logs each entry once and tells each owner once', async () => {
    const { consentId, tokens } = await grantConsent(broker, 'tencent', BORROWER);
    const input = { jobId: randomId(), requester: 'tencent', consentId, tokens, groups: ['status'] };
    const crash = (): Promise<never> => Promise.reject(new Error('simulated crash'));
    await assert.rejects(
      runMatch({ ...deps, receipts: { get: (id) => deps.receipts.get(id), put: crash } }, input),
      /simulated crash/,
    );
    assert.deepEqual(
      Object.fromEntries(await entriesOf(input.jobId)),
      { 'query.received': 1, 'disclosure ant-1': 1, 'disclosure didi-1': 1 },
      'the first attempt logged its entries before it died',
    );
    assert.equal(await releaseEvents('ant', input.jobId), 0, 'it died before telling the owners');

    const retried = await runMatch(deps, input);
    const again = await runMatch(deps, input);
    assert.deepEqual(
      Object.fromEntries(await entriesOf(input.jobId)),
      { 'query.received': 1, 'disclosure ant-1': 1, 'disclosure didi-1': 1 },
      'no entry was logged twice',
    );
    const receiptsOf = (r: typeof retried) => [r.query, ...r.released.map((x) => x.disclosure)];
    assert.deepEqual(receiptsOf(again), receiptsOf(retried), 'a later retry answers the same receipts');
    assert.equal(retried.released.length, 2);
    assert.equal(await releaseEvents('ant', input.jobId), 1);
    assert.equal(await releaseEvents('didi', input.jobId), 1);
  });

  it('when the consent is revoked while the job runs, then the result is withheld with CONSENT_REVOKED and no owner is told of a release', async () => {
    const { consentId, tokens } = await grantConsent(broker, 'tencent', BORROWER);
    const requester = await broker.client('tencent');
    let revoked: Promise<unknown> | undefined;
    const racing: MatchDeps = {
      ...deps,
      log: {
        appendEntry: deps.log.appendEntry,
        async appendSequenced(kind, body, once) {
          revoked ??= lifecycleRequest(broker, 'tencent', consentId, 'revoke').then((r) =>
            requester.changeConsent(consentId, 'revoke', r),
          );
          await revoked;
          return deps.log.appendSequenced(kind, body, once);
        },
      },
    };
    const input = { jobId: randomId(), requester: 'tencent', consentId, tokens, groups: ['status'] };
    await assert.rejects(
      runMatch(racing, input),
      (err: { code?: string; details?: { withheld?: number } }) => {
        assert.equal(err.code, 'CONSENT_REVOKED');
        assert.equal(err.details?.withheld, 2);
        return true;
      },
    );
    assert.equal(await releaseEvents('ant', input.jobId), 0);
    assert.equal(await releaseEvents('didi', input.jobId), 0);
    const feed = await (await broker.client('ant')).events('0', 1000);
    assert.ok(
      feed.events.some((e) => e.type === 'consent.revoked' && e.consentId === consentId),
      'the owners noted before logging are told of the revocation',
    );
  });
});
