/**
 * Consented lookup end to end over HTTPS (DESIGN §3, §4, §6): four members, real Redis under a
 * random prefix, real log. Tencent asks about one borrower whom ant knows by resident ID, didi by
 * phone + name, baihe by resident ID (but baihe excludes tencent) and a fourth lender only by phone.
 */
import assert from 'node:assert/strict';
import { openEnvelope } from '../../src/envelope/open.js';
import { randomId } from '../../src/crypto/random.js';
import { entryLeafHash } from '../../src/ledger/entry.js';
import type { MatchResult } from '../../src/match/lookup.js';
import type { IdentifierType } from '../../src/normalize/schema.js';
import { toHex } from '../../src/util/bytes.js';
import { keysUnder, startBroker } from '../api/harness.js';
import type { Broker } from '../api/harness.js';
import { REDIS_URL } from '../api/harness.js';
import { createClient } from 'redis';
import {
  grantConsent,
  lifecycleRequest,
  loggedEntry,
  memberTokenizer,
  setPolicy,
  submitLoans,
  tokensFor,
} from './world.js';
import type { Ids } from './world.js';

const BORROWER: Ids = { cn_rid: '11010519491231002X', phone: '+8613812345678', name: '张伟' };
const OTHER: Ids = { cn_rid: '110105194912310029', phone: '+8613900000001', name: '李娜' };

describe('consented lookup (match jobs)', function () {
  this.timeout(120_000);
  let broker: Broker;

  before(async () => {
    broker = await startBroker();
    await submitLoans(broker, 'ant', [
      { recordId: 'ant-1', ids: { cn_rid: BORROWER.cn_rid! }, state: 'active' },
      { recordId: 'ant-2', ids: { cn_rid: OTHER.cn_rid! }, state: 'active' },
    ]);
    await submitLoans(broker, 'didi', [
      { recordId: 'didi-1', ids: { phone: BORROWER.phone!, name: BORROWER.name! }, state: 'delinquent' },
    ]);
    await submitLoans(broker, 'baihe', [{ recordId: 'baihe-1', ids: { cn_rid: BORROWER.cn_rid! } }]);
    await submitLoans(broker, 'tencent', [{ recordId: 'tc-1', ids: { phone: BORROWER.phone! } }]);
    await setPolicy(broker, 'didi', { groupsByPurpose: { loan_underwriting: ['status'] } });
    await setPolicy(broker, 'baihe', { excludedRecipients: ['tencent'] });
  });
  after(async () => {
    await broker?.stop();
  });

  async function lookup(consentId: string, tokens: Record<string, string>, groups = ['status', 'amounts']) {
    const client = await broker.client('tencent');
    return (await client.match({ consentId, tokens, groups })) as MatchResult;
  }

  it('when a borrower is held by two other members under different identifier types, then both records are found', async () => {
    const { consentId, tokens } = await grantConsent(broker, 'tencent', BORROWER);
    const result = await lookup(consentId, tokens);
    const found = result.released.map((r) => `${r.owner}/${r.recordId}:${r.matchedOn.join('+')}`).sort();
    assert.deepEqual(found, ['ant/ant-1:cn_rid', 'didi/didi-1:phone+name']);
  });

  it('when the requester opens the release, then it opens only the groups its consent and each owner policy allow', async () => {
    const { consentId, tokens } = await grantConsent(broker, 'tencent', BORROWER);
    const result = await lookup(consentId, tokens, ['status', 'amounts']);
    const tokenizer = await memberTokenizer(broker.keysDir, 'tencent');
    const byOwner = new Map(result.released.map((r) => [r.owner, r]));
    const ant = byOwner.get('ant');
    const didi = byOwner.get('didi');
    assert.ok(ant && didi);
    assert.deepEqual(
      Object.keys(ant.envelope.groups).sort(),
      ['amounts', 'status'],
      'contact is outside the consent',
    );
    assert.deepEqual(Object.keys(didi.envelope.groups), ['status'], "didi's policy allows status only");
    const sealKey = (type: IdentifierType) =>
      tokenizer.tokenize(type, type === 'name' ? BORROWER.name! : BORROWER[type]!).sealKey;
    const opened = openEnvelope(ant.envelope, { type: 'cn_rid', sealKey: sealKey('cn_rid') });
    assert.equal(opened.groups.amounts?.principal, 12000);
    const didiOpened = openEnvelope(didi.envelope, { type: 'phone', sealKey: sealKey('phone') });
    assert.equal(didiOpened.groups.status?.status, 'delinquent');
    for (const r of result.released) {
      for (const g of Object.values(r.envelope.groups)) {
        for (const type of Object.keys(g.slots))
          assert.ok(type in tokens, `a slot of ${type}, which was not supplied`);
      }
    }
  });

  it('when an owner excludes the requester, then nothing of that owner is released', async () => {
    const { consentId, tokens } = await grantConsent(broker, 'tencent', BORROWER);
    const result = await lookup(consentId, tokens);
    assert.ok(!result.released.some((r) => r.owner === 'baihe'));
    const ant = await broker.client('ant');
    const antResult = (await (async () => {
      const c = await grantConsent(broker, 'ant', BORROWER);
      return ant.match({ consentId: c.consentId, tokens: c.tokens, groups: ['status'] });
    })()) as MatchResult;
    assert.ok(
      antResult.released.some((r) => r.owner === 'baihe'),
      'baihe releases to others',
    );
  });

  it('when only a phone matches, then the purpose minimum match withholds the record', async () => {
    const { consentId, tokens } = await grantConsent(broker, 'ant', BORROWER);
    const ant = await broker.client('ant');
    const phoneOnly = { phone: tokens.phone!, name: tokens.name! };
    const result = (await ant.match({ consentId, tokens: phoneOnly, groups: ['status'] })) as MatchResult;
    assert.ok(
      !result.released.some((r) => r.owner === 'tencent'),
      'tencent knows the borrower by phone only',
    );
    assert.ok(result.released.some((r) => r.owner === 'didi'));
  });

  it('when a released envelope is tampered with, then it fails to open', async () => {
    const { consentId, tokens } = await grantConsent(broker, 'tencent', BORROWER);
    const result = await lookup(consentId, tokens);
    const ant = result.released.find((r) => r.owner === 'ant');
    assert.ok(ant);
    const status = ant.envelope.groups.status!;
    const flipped = status.ct.slice(0, 10) + (status.ct[10] === 'A' ? 'B' : 'A') + status.ct.slice(11);
    const tampered = { ...ant.envelope, groups: { status: { ...status, ct: flipped } } };
    const tokenizer = await memberTokenizer(broker.keysDir, 'tencent');
    const sealKey = tokenizer.tokenize('cn_rid', BORROWER.cn_rid!).sealKey;
    assert.throws(() => openEnvelope(tampered, { type: 'cn_rid', sealKey }), { code: 'ENVELOPE_DECRYPT' });
    const swapped = { ...ant.envelope, recordId: 'ant-2' };
    assert.throws(() => openEnvelope(swapped, { type: 'cn_rid', sealKey }), { code: 'ENVELOPE_DECRYPT' });
  });

  it('when the requester receives a release, then it holds no token or index key of any stored record', async () => {
    const { consentId, tokens } = await grantConsent(broker, 'tencent', BORROWER);
    const text = JSON.stringify(await lookup(consentId, tokens));
    const client = createClient({ url: REDIS_URL });
    await client.connect();
    const secrets = new Set<string>();
    try {
      for (const key of (await keysUnder(broker.config.redis.prefix)).filter((k) => /:r:/.test(k))) {
        const value = (await client.get(key)) ?? '';
        const stored = JSON.parse(value.slice(value.indexOf('\n') + 1)) as {
          indexKeys: Record<string, string>;
        };
        for (const k of Object.values(stored.indexKeys)) secrets.add(k);
      }
    } finally {
      await client.close();
    }
    const tokenizer = await memberTokenizer(broker.keysDir, 'tencent');
    for (const ids of [BORROWER, OTHER])
      for (const t of Object.values(tokensFor(tokenizer, ids))) secrets.add(t);
    assert.ok(secrets.size >= 6);
    for (const secret of secrets) assert.ok(!text.includes(secret), 'a token or index key leaked');
  });

  it('when records are released, then each has a disclosure entry sequenced in the log before the release', async () => {
    const { consentId, tokens } = await grantConsent(broker, 'tencent', BORROWER);
    const result = await lookup(consentId, tokens);
    assert.ok(result.released.length >= 2);
    for (const r of [
      ...result.released.map((x) => ({ ...x.disclosure, owner: x.owner, recordId: x.recordId })),
      { ...result.query, owner: '', recordId: '' },
    ]) {
      const entry = await loggedEntry(broker, 'tencent', r.index);
      assert.equal(toHex(entryLeafHash(entry)), r.leafHash);
      const parsed = JSON.parse(entry) as { kind: string; body: Record<string, unknown> };
      if (r.owner === '') assert.equal(parsed.kind, 'query.received');
      else {
        assert.equal(parsed.kind, 'disclosure');
        assert.equal(parsed.body.owner, r.owner);
        assert.equal(parsed.body.recordId, r.recordId);
        assert.equal(parsed.body.requester, 'tencent');
        assert.match(String(parsed.body.recordCommitment), /^[0-9a-f]{64}$/);
      }
      for (const secret of Object.values(tokens)) assert.ok(!entry.includes(secret), 'no token in the log');
    }
  });

  it('when a release happens, then the owner sees it in its usage feed, and later the revocation', async () => {
    const { consentId, tokens } = await grantConsent(broker, 'tencent', BORROWER);
    const ant = await broker.client('ant');
    const before = await ant.events('0', 1000);
    await lookup(consentId, tokens);
    const after = await ant.events(before.cursor);
    const release = after.events.find((e) => e.type === 'release' && e.consentId === consentId);
    assert.ok(release);
    assert.equal(release.requester, 'tencent');
    assert.equal(release.purpose, 'loan_underwriting');
    assert.equal(release.recordId, 'ant-1');
    const tencent = await broker.client('tencent');
    await tencent.changeConsent(
      consentId,
      'revoke',
      await lifecycleRequest(broker, 'tencent', consentId, 'revoke'),
    );
    const later = await ant.events(after.cursor);
    assert.ok(later.events.some((e) => e.type === 'consent.revoked' && e.consentId === consentId));
  });

  describe('refusals', () => {
    it('when the consent does not exist, then CONSENT_NOT_FOUND', async () => {
      const tokenizer = await memberTokenizer(broker.keysDir, 'tencent');
      await assert.rejects(lookup(randomId(), tokensFor(tokenizer, BORROWER)), { code: 'CONSENT_NOT_FOUND' });
    });

    it('when the consent is for an aggregate purpose, or another purpose is stated, then CONSENT_WRONG_PURPOSE', async () => {
      const screening = await grantConsent(broker, 'tencent', BORROWER, {
        purpose: 'portfolio_screening',
        groups: ['status'],
        frequency: { unit: 'MONTH', value: 1 },
      });
      await assert.rejects(lookup(screening.consentId, screening.tokens, ['status']), {
        code: 'CONSENT_WRONG_PURPOSE',
      });
      const c = await grantConsent(broker, 'tencent', BORROWER);
      const client = await broker.client('tencent');
      await assert.rejects(
        client.match({
          consentId: c.consentId,
          tokens: c.tokens,
          groups: ['status'],
          purpose: 'collections',
        }),
        {
          code: 'CONSENT_WRONG_PURPOSE',
        },
      );
    });

    it('when the consent is revoked, then CONSENT_REVOKED', async () => {
      const c = await grantConsent(broker, 'tencent', BORROWER);
      await (
        await broker.client('tencent')
      ).changeConsent(
        c.consentId,
        'revoke',
        await lifecycleRequest(broker, 'tencent', c.consentId, 'revoke'),
      );
      await assert.rejects(lookup(c.consentId, c.tokens), { code: 'CONSENT_REVOKED' });
    });

    it('when the consent is paused, then CONSENT_PAUSED, and after resume it works again', async () => {
      const c = await grantConsent(broker, 'tencent', BORROWER);
      const client = await broker.client('tencent');
      await client.changeConsent(
        c.consentId,
        'pause',
        await lifecycleRequest(broker, 'tencent', c.consentId, 'pause'),
      );
      await assert.rejects(lookup(c.consentId, c.tokens), { code: 'CONSENT_PAUSED' });
      await new Promise((r) => setTimeout(r, 5));
      await client.changeConsent(
        c.consentId,
        'resume',
        await lifecycleRequest(broker, 'tencent', c.consentId, 'resume'),
      );
      assert.ok((await lookup(c.consentId, c.tokens)).released.length > 0);
    });

    it('when the consent has expired, then CONSENT_EXPIRED', async () => {
      const c = await grantConsent(broker, 'tencent', BORROWER, { expiresInMs: 2500 });
      await new Promise((r) => setTimeout(r, 2600));
      await assert.rejects(lookup(c.consentId, c.tokens), { code: 'CONSENT_EXPIRED' });
    });

    it('when the frequency is used up, then CONSENT_FREQUENCY_EXCEEDED', async () => {
      const c = await grantConsent(broker, 'tencent', BORROWER, { frequency: { unit: 'MONTH', value: 1 } });
      await lookup(c.consentId, c.tokens);
      await assert.rejects(lookup(c.consentId, c.tokens), { code: 'CONSENT_FREQUENCY_EXCEEDED' });
    });

    it('when the tokens are not the consent subject, then MATCH_SUBJECT_NOT_CONSENTED', async () => {
      const c = await grantConsent(broker, 'tencent', BORROWER);
      const tokenizer = await memberTokenizer(broker.keysDir, 'tencent');
      await assert.rejects(lookup(c.consentId, tokensFor(tokenizer, OTHER)), {
        code: 'MATCH_SUBJECT_NOT_CONSENTED',
      });
    });

    it('when another member uses the consent, then CONSENT_WRONG_REQUESTER', async () => {
      const c = await grantConsent(broker, 'tencent', BORROWER);
      const ant = await broker.client('ant');
      await assert.rejects(ant.match({ consentId: c.consentId, tokens: c.tokens, groups: ['status'] }), {
        code: 'CONSENT_WRONG_REQUESTER',
      });
    });
  });
});
