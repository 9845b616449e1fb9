/**
 * Issue 6 acceptance: an auditor verifies a real broker's log (mTLS, real Redis under a random
 * prefix) and catches each kind of tampering by entry index and rule (DESIGN §5, RFC 9162 §2.1).
 * Stored entries are tampered with directly in Redis (src/store/keys.ts "Transparency log") and
 * restored after each case; crafted entries go through the log's own append path. Only this
 * test's keys are touched (the harness deletes its prefix); never a whole-database flush.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runAudit } from '../../src/audit/run.js';
import type { Finding } from '../../src/audit/findings.js';
import { buildConsent } from '../../src/consent/artefact.js';
import { consentGrantedEntry } from '../../src/consent/log-entries.js';
import { loadBrokerKeys } from '../../src/keys/load.js';
import { signCheckpoint } from '../../src/ledger/checkpoint.js';
import { createEntry } from '../../src/ledger/entry.js';
import { LogStore } from '../../src/ledger/log-store.js';
import { Sequencer } from '../../src/ledger/sequencer.js';
import { createLogKeys } from '../../src/store/keys.js';
import { signObject } from '../../src/signing/signed-object.js';
import { randomId } from '../../src/crypto/random.js';
import type { Receipt } from '../../src/ledger/receipts.js';
import { startBroker } from '../api/harness.js';
import type { Broker } from '../api/harness.js';
import { foreignCa, issueFor } from '../keys/fixture.js';
import { grantConsent, lifecycleRequest, submitLoans } from '../match/world.js';

const BORROWER = { cn_rid: '11010519491231002X', phone: '+8613812345678', name: '张伟' };

describe('audit verify against a real broker', function () {
  this.timeout(180_000);
  let broker: Broker;
  let dir: string;
  let store: LogStore;

  const audit = (state = 'scratch.json', report?: string) =>
    runAudit({
      keysDir: broker.keysDir,
      auditorId: 'cbirc',
      brokerUrl: broker.server.url,
      statePath: join(dir, state),
      ...(report ? { reportPath: join(dir, report) } : {}),
    });

  const has = (findings: readonly Finding[], index: number, rule: string): boolean =>
    findings.some((f) => f.index === index && f.rule === rule);

  const append = (
    kind: Parameters<Broker['server']['context']['log']['service']['appendEntry']>[0],
    body: Record<string, unknown>,
  ): Promise<Receipt> => broker.server.context.log.service.appendEntry(kind, body);

  /** Runs `tamper` on the first entry chunk, audits from scratch, then restores the chunk. */
  async function withChunk(tamper: (key: string) => Promise<void>): Promise<Finding[]> {
    const key = store.keys.entries(0);
    const saved = await store.client.lRange(key, 0, -1);
    try {
      await tamper(key);
      await rm(join(dir, 'scratch.json'), { force: true });
      return (await audit()).outcome.findings;
    } finally {
      await store.client.del(key);
      await store.client.rPush(key, saved);
    }
  }

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'bb-audit-'));
    broker = await startBroker();
    store = new LogStore(broker.server.context.client, createLogKeys(broker.config.redis.prefix));
    await submitLoans(broker, 'ant', [{ recordId: 'ant-1', ids: { cn_rid: BORROWER.cn_rid } }]);
    const { consentId, tokens } = await grantConsent(broker, 'tencent', BORROWER);
    const client = await broker.client('tencent');
    await client.match({ consentId, tokens, groups: ['status'] });
    // A lookup answers once its entries are sequenced; the auditor reads up to a signed checkpoint.
    const { size } = await store.head();
    await broker.server.context.log.receipts.receipt(size - 1, 10_000);
  });
  after(async () => {
    await broker?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('when the log is clean, then verify passes, says it trusted on first use, saves state and writes the report', async () => {
    const { outcome, summary, saved } = await audit('kept.json', 'report.html');
    assert.deepEqual(outcome.findings, []);
    assert.equal(outcome.trustOnFirstUse, true);
    assert.ok(saved);
    assert.ok((summary.entriesByKind.disclosure ?? 0) >= 1);
    assert.equal(summary.disclosuresByOwner.ant, 1);
    const html = await readFile(join(dir, 'report.html'), 'utf8');
    assert.match(html, /Clean: no findings/);
    assert.doesNotMatch(html, /<script|https?:\/\//);
  });

  it('when nothing changed, then a second run checks no entry and stays clean', async () => {
    const { outcome } = await audit('kept.json');
    assert.deepEqual(outcome.findings, []);
    assert.equal(outcome.trustOnFirstUse, false);
    assert.equal(outcome.fromSize, outcome.toSize);
  });

  it('when one stored entry is changed, then log.replay names its index', async () => {
    const findings = await withChunk(async (key) => {
      const text = (await store.client.lIndex(key, 1)) ?? '';
      await store.client.lSet(key, 1, text.replace('"at":"2', '"at":"1'));
    });
    assert.ok(has(findings, 1, 'log.replay'), JSON.stringify(findings));
  });

  it('when one stored entry is deleted, then log.replay names it and the unserved index is named', async () => {
    const findings = await withChunk(async (key) => {
      const text = (await store.client.lIndex(key, 1)) ?? '';
      await store.client.lRem(key, 1, text);
    });
    assert.ok(has(findings, 1, 'log.replay'), JSON.stringify(findings));
    assert.ok(
      findings.some((f) => f.rule === 'log.dense-index'),
      JSON.stringify(findings),
    );
  });

  it('when two stored entries are swapped, then log.replay names the first', async () => {
    const findings = await withChunk(async (key) => {
      const [a, b] = [await store.client.lIndex(key, 1), await store.client.lIndex(key, 2)];
      await store.client.lSet(key, 1, b ?? '');
      await store.client.lSet(key, 2, a ?? '');
    });
    assert.ok(has(findings, 1, 'log.replay'), JSON.stringify(findings));
  });

  it('when a disclosure cites no consent, then consent.missing names its index', async () => {
    const r = await append('disclosure', disclosureBody(randomId(), { index: 0, leafHash: '00'.repeat(32) }));
    const { outcome, saved } = await audit('kept.json');
    assert.ok(has(outcome.findings, r.index, 'consent.missing'), JSON.stringify(outcome.findings));
    assert.equal(saved, false);
  });

  it('when a disclosure is logged under a revoked consent, then consent.inactive names its index', async () => {
    const c = await grantConsent(broker, 'tencent', BORROWER);
    const client = await broker.client('tencent');
    await client.changeConsent(
      c.consentId,
      'revoke',
      await lifecycleRequest(broker, 'tencent', c.consentId, 'revoke'),
    );
    const consents = (await client.listConsents()) as Array<{
      consentId: string;
      receipt: { index: number; leafHash: string };
    }>;
    const ref = consents.find((x) => x.consentId === c.consentId)?.receipt;
    assert.ok(ref);
    const r = await append(
      'disclosure',
      disclosureBody(c.consentId, { index: ref.index, leafHash: ref.leafHash }),
    );
    const { outcome } = await audit('kept.json');
    assert.ok(has(outcome.findings, r.index, 'consent.inactive'), JSON.stringify(outcome.findings));
  });

  it('when a consent is signed by a key the CA did not certify, then entry.signature names its index', async () => {
    const ca = await foreignCa();
    const rogue = await issueFor(ca, 'member', 'tencent', ['signing']);
    const { body } = buildConsent({
      requester: 'tencent',
      purpose: 'loan_underwriting',
      subject: { epoch: 1, tokens: { cn_rid: 'AAECAwQFBgcICQoLDA0ODw' } },
      dataGroups: ['status'],
      sources: '*',
      consentStart: new Date(Date.now() - 60_000),
      consentExpiry: new Date(Date.now() + 86_400_000),
      frequency: { unit: 'MONTH', value: 1 },
      dataLifeDays: 30,
      evidenceDigest: 'ab'.repeat(32),
      txnId: 'txn-rogue',
    });
    const signed = signObject('consent.grant', body, { role: 'member', id: 'tencent', signing: rogue });
    const r = await append('consent.granted', { ...consentGrantedEntry(signed, new Date()) });
    const { outcome } = await audit('kept.json');
    assert.ok(has(outcome.findings, r.index, 'entry.signature'), JSON.stringify(outcome.findings));
  });

  it('when the tree is rolled back and a new head is signed with the log key, then log.consistency names where history differs', async () => {
    const kept = JSON.parse(await readFile(join(dir, 'kept.json'), 'utf8')) as { size: number };
    const keep = 2;
    const texts = await store.readEntries(0, keep);
    const forged = await forkTo(texts, kept.size + 3);
    assert.ok(forged >= kept.size);
    const { outcome, saved } = await audit('kept.json');
    const finding = outcome.findings.find((f) => f.rule === 'log.consistency');
    assert.ok(finding && finding.index !== null && finding.index <= keep, JSON.stringify(outcome.findings));
    assert.equal(saved, false);
  });

  function disclosureBody(
    consentId: string,
    consent: { index: number; leafHash: string },
  ): Record<string, unknown> {
    return {
      jobId: randomId(),
      requester: 'tencent',
      owner: 'ant',
      recordId: 'ant-1',
      recordCommitment: 'cd'.repeat(32),
      groups: ['status'],
      matchedOn: ['cn_rid'],
      purpose: 'loan_underwriting',
      consentId,
      consent,
    };
  }

  /**
   * A malicious operator: drops the stored tree, re-sequences the first entries plus different
   * ones until the tree holds `size` entries, and signs the new head with the log key itself.
   */
  async function forkTo(prefix: readonly string[], size: number): Promise<number> {
    const { client, keys } = store;
    await broker.server.context.log.stop();
    for await (const found of client.scanIterator({ MATCH: `${keys.prefix}:{log}:*`, COUNT: 1000 })) {
      const drop = found.filter((k) => /:\{log\}:(e:|n:|head$|lease$)/.test(k));
      if (drop.length > 0) await client.del(drop);
    }
    const sequencer = new Sequencer(store);
    const filler = Array.from({ length: size - prefix.length }, (_, i) =>
      createEntry('key.rotated', { forged: i }),
    );
    for (const text of [...prefix, ...filler]) await store.enqueue(text);
    while ((await store.head()).size < size) await sequencer.step();
    await sequencer.stop();
    const head = await store.head();
    const { logKey } = await loadBrokerKeys(broker.keysDir);
    const text = signCheckpoint(
      { origin: logKey.name, size: head.size, root: head.root as Uint8Array },
      logKey,
    );
    await client.hSet(keys.checkpoint(), { size: String(head.size), text, at: String(Date.now()) });
    return head.size;
  }
});
