/**
 * The token authority end to end (DESIGN §1, §2; RFC 9497 VOPRF over mutual TLS): members get tokens
 * that equal the unblinded PRF, only members may evaluate, limits refuse with their codes and
 * Retry-After, hostile elements are refused with their index, counters are signed, and rotation
 * keeps the previous epoch evaluable during the grace window.
 */
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { hkdfExtractSha256 } from '../../src/crypto/hash.js';
import { evaluateOprf } from '../../src/crypto/oprf.js';
import { isBrokerError } from '../../src/errors.js';
import { readJsonFile } from '../../src/keys/files.js';
import * as layout from '../../src/keys/layout.js';
import { verifySignedCounters, utcDay } from '../../src/token-authority/counters.js';
import type { SignedCounters } from '../../src/token-authority/counters.js';
import { loadOprfKeyRing, rotateOprfKeys } from '../../src/token-authority/key-files.js';
import { openMemberTokenizer } from '../../src/tokenize/member-tokenizer.js';
import { OprfTokenizer, oprfInput } from '../../src/tokenize/oprf-tokenizer.js';
import { tokenPairFromPrfOutput } from '../../src/tokenize/tokenizer.js';
import type { TokenInput } from '../../src/tokenize/tokenizer.js';
import { fromBase64url, toBase64url, utf8 } from '../../src/util/bytes.js';
import { foreignCa, issueFor, removeTempDirs, tempDir } from '../keys/fixture.js';
import { call, callerFor, startAuthority } from './harness.js';
import type { Authority } from './harness.js';

const ITEMS: TokenInput[] = [
  { type: 'cn_rid', value: '11010519491231002X' },
  { type: 'phone', value: '+8613812345678' },
  { type: 'name', value: '张三' },
  { type: 'cn_rid', value: '11010519491231002X' },
];

/** 5·G on ristretto255 (RFC 9496): a valid, non-identity element to send. */
const FIVE_G = '6IKxMQFrUsHTM3CAGHz3aEI-_Mu1F7tJWrgSxBYP9E4';

async function expectedPairs(keysDir: string, epoch: number, items: TokenInput[]) {
  const ring = await loadOprfKeyRing(keysDir);
  const key = ring.epochs.get(epoch);
  assert.ok(key);
  const salt = utf8(`blindbroker/v1/oprf/${epoch}`);
  return items.map((item) =>
    tokenPairFromPrfOutput(hkdfExtractSha256(evaluateOprf(key.keyPair.secretKey, oprfInput(item)), salt)),
  );
}

describe('token authority', function () {
  this.timeout(120_000);
  let ta: Authority;

  before(async () => {
    ta = await startAuthority({ limits: { dailyQuota: 40, burst: 1000, ratePerSecond: 1000 } });
  });
  after(async () => {
    await ta.stop();
    await removeTempDirs();
  });

  it('when a member tokenizes through the authority, then tokens equal the PRF chain and repeats are cached', async () => {
    const tokenizer = await OprfTokenizer.create({ authority: await ta.client('tencent'), threads: 0 });
    try {
      const pairs = await tokenizer.tokenizeBatch(ITEMS);
      assert.deepEqual(pairs, await expectedPairs(ta.keysDir, tokenizer.epoch, ITEMS));
      assert.equal(pairs[0]?.token, pairs[3]?.token);
      assert.equal(tokenizer.cached, 3);
      await tokenizer.tokenizeBatch(ITEMS);
    } finally {
      await tokenizer.close();
    }
    const auditor = await callerFor(ta.keysDir, 'auditor:cbirc');
    const counters = await call(ta.server.url, auditor, 'GET', `/v1/counters?date=${utcDay(Date.now())}`);
    assert.equal((counters.body as unknown as SignedCounters).counters.counts['tencent'], 3);
  });

  it('when a member opens its tokenizer in oprf mode with a cache file, then a second run serves from the file', async () => {
    const cacheFile = path.join(await tempDir(), 'oprf-cache.jsonl');
    const options = { mode: 'oprf' as const, authorityUrl: ta.server.url, cacheFile, threads: 0 };
    const first = await openMemberTokenizer(ta.keysDir, 'baihe', options);
    const pairs = await first.tokenizeBatch(ITEMS);
    await first.close();
    const second = await openMemberTokenizer(ta.keysDir, 'baihe', options);
    try {
      assert.equal((second as OprfTokenizer).cached, 3);
      assert.deepEqual(await second.tokenizeBatch(ITEMS), pairs);
      assert.equal((await fs.stat(cacheFile)).mode & 0o777, 0o600);
    } finally {
      await second.close();
    }
  });

  it('when a member goes over its daily quota, then it is refused with TA_QUOTA_EXCEEDED, 429 and Retry-After', async () => {
    const tokenizer = await OprfTokenizer.create({ authority: await ta.client('ant'), threads: 0 });
    try {
      const items = Array.from({ length: 41 }, (_, i): TokenInput => ({
        type: 'phone',
        value: `+86138000${String(i).padStart(5, '0')}`,
      }));
      await assert.rejects(tokenizer.tokenizeBatch(items), (err: unknown) => {
        assert.ok(isBrokerError(err, 'TA_QUOTA_EXCEEDED'));
        assert.equal(err.details?.['status'], 429);
        assert.ok(Number(err.details?.['retryAfter']) >= 1);
        return true;
      });
      assert.equal((await tokenizer.tokenizeBatch(items.slice(0, 40))).length, 40);
      await assert.rejects(tokenizer.tokenizeBatch(items), (err: unknown) =>
        isBrokerError(err, 'TA_QUOTA_EXCEEDED'),
      );
    } finally {
      await tokenizer.close();
    }
  });

  it('when the authority’s proof or elements are tampered with, then the tokenizer rejects the answer', async () => {
    const real = await ta.client('didi');
    for (const tamper of ['proof', 'swap'] as const) {
      const tokenizer = await OprfTokenizer.create({
        threads: 0,
        authority: {
          keys: () => real.keys(),
          close: () => undefined,
          async evaluate(epoch, blinded) {
            const answer = await real.evaluate(epoch, blinded);
            if (tamper === 'proof') answer.proof[5] = (answer.proof[5] ?? 0) ^ 1;
            else answer.evaluated.reverse();
            return answer;
          },
        },
      });
      try {
        await assert.rejects(tokenizer.tokenizeBatch(ITEMS.slice(0, 2)), (err: unknown) =>
          isBrokerError(err, 'OPRF_BAD_PROOF'),
        );
        assert.equal(tokenizer.cached, 0);
      } finally {
        await tokenizer.close();
      }
    }
  });

  it('when a pinned key differs from the authority’s, then the tokenizer refuses to start', async () => {
    await assert.rejects(
      OprfTokenizer.create({
        authority: await ta.client('didi'),
        publicKey: new Uint8Array(32).fill(7),
        threads: 0,
      }),
      (err: unknown) => isBrokerError(err, 'TA_KEY_MISMATCH'),
    );
  });

  it('when a non-member certificate asks for an evaluation, then it is refused', async () => {
    const body = { epoch: (await loadOprfKeyRing(ta.keysDir)).current, blinded: [FIVE_G] };
    const auditor = await call(
      ta.server.url,
      await callerFor(ta.keysDir, 'auditor:cbirc'),
      'POST',
      '/v1/evaluate',
      body,
    );
    assert.equal(auditor.status, 403);
    assert.equal(auditor.body['code'], 'ROLE_FORBIDDEN');
    // The broker's certificate is for TLS servers only, and a foreign CA's member is nobody: the
    // handshake itself fails.
    await assert.rejects(
      call(ta.server.url, await callerFor(ta.keysDir, 'broker'), 'POST', '/v1/evaluate', body),
    );
    const stranger = await issueFor(await foreignCa(), 'member', 'tencent', ['tls-client']);
    const caCertPem = (await callerFor(ta.keysDir, 'member:tencent')).caCertPem;
    await assert.rejects(call(ta.server.url, { ...stranger, caCertPem }, 'POST', '/v1/evaluate', body));
  });

  it('when a member sends hostile requests, then each is refused with its code', async () => {
    const member = await callerFor(ta.keysDir, 'member:baihe');
    const epoch = (await loadOprfKeyRing(ta.keysDir)).current;
    const good = FIVE_G;
    const cases: [unknown, number, string][] = [
      [{ epoch, blinded: [good, toBase64url(new Uint8Array(32))] }, 400, 'OPRF_BAD_ELEMENT'],
      [{ epoch, blinded: [good, 'not base64!'] }, 400, 'OPRF_BAD_ELEMENT'],
      [{ epoch, blinded: [toBase64url(new Uint8Array(31))] }, 400, 'OPRF_BAD_ELEMENT'],
      [{ epoch, blinded: [] }, 400, 'BAD_REQUEST'],
      [{ epoch: 'one', blinded: [good] }, 400, 'BAD_REQUEST'],
      [{ epoch: 99, blinded: [good] }, 404, 'TA_EPOCH_UNKNOWN'],
      [{ epoch, blinded: Array.from({ length: 10_001 }, () => good) }, 413, 'TA_BATCH_TOO_LARGE'],
    ];
    for (const [body, status, code] of cases) {
      const res = await call(ta.server.url, member, 'POST', '/v1/evaluate', body);
      assert.equal(res.body['code'], code, JSON.stringify(body).slice(0, 80));
      assert.equal(res.status, status);
    }
    const first = await call(ta.server.url, member, 'POST', '/v1/evaluate', {
      epoch,
      blinded: [good, toBase64url(new Uint8Array(32))],
    });
    assert.equal((first.body['details'] as Record<string, unknown>)['index'], 1);
  });

  it('when an auditor reads a day’s counters, then they are signed by the counter key; a member may not read them', async () => {
    const auditor = await callerFor(ta.keysDir, 'auditor:cbirc');
    const res = await call(ta.server.url, auditor, 'GET', `/v1/counters?date=${utcDay(Date.now())}`);
    assert.equal(res.status, 200);
    const doc = res.body as unknown as SignedCounters;
    const pub = (await readJsonFile(layout.tokenAuthorityPaths(ta.keysDir).counterKeyPub)) as {
      publicKey: string;
    };
    assert.ok(verifySignedCounters(doc, fromBase64url(pub.publicKey, 32)));
    assert.ok(
      !verifySignedCounters(
        { ...doc, counters: { ...doc.counters, total: doc.counters.total + 1 } },
        fromBase64url(pub.publicKey, 32),
      ),
    );
    const bad = await call(ta.server.url, auditor, 'GET', '/v1/counters?date=2025-02-30');
    assert.equal(bad.body['code'], 'BAD_DATE');
    const member = await call(
      ta.server.url,
      await callerFor(ta.keysDir, 'member:ant'),
      'GET',
      '/v1/counters',
    );
    assert.equal(member.status, 403);
  });
});

describe('token authority limits and rotation', function () {
  this.timeout(120_000);
  let ta: Authority;

  before(async () => {
    ta = await startAuthority({ limits: { burst: 5, ratePerSecond: 1 } });
  });
  after(async () => {
    await ta.stop();
    await removeTempDirs();
  });

  it('when a member bursts past its bucket, then it is refused with TA_RATE_LIMITED and Retry-After', async () => {
    const tokenizer = await OprfTokenizer.create({
      authority: await ta.client('tencent'),
      threads: 0,
      requestSize: 4,
    });
    try {
      await tokenizer.tokenizeBatch(ITEMS.slice(0, 3));
      await assert.rejects(
        tokenizer.tokenizeBatch([
          { type: 'email', value: 'a@example.com' },
          { type: 'email', value: 'b@example.com' },
          { type: 'email', value: 'c@example.com' },
        ]),
        (err: unknown) => isBrokerError(err, 'TA_RATE_LIMITED') && Number(err.details?.['retryAfter']) >= 1,
      );
    } finally {
      await tokenizer.close();
    }
  });

  it('when the authority rotates, then both epochs are served in the grace window and the old one retires after it', async () => {
    const before = await loadOprfKeyRing(ta.keysDir);
    const next = await rotateOprfKeys(ta.keysDir, 7);
    assert.equal(next, before.current + 1);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const client = await ta.client('ant');
    const keys = await client.keys();
    assert.equal(keys.current, next);
    assert.deepEqual(
      keys.epochs.map((e) => e.epoch),
      [before.current, next],
    );
    const old = await OprfTokenizer.create({ authority: client, epoch: before.current, threads: 0 });
    const current = await OprfTokenizer.create({ authority: client, threads: 0 });
    try {
      const item = [{ type: 'dob', value: '1949-12-31' } as TokenInput];
      const [a] = await old.tokenizeBatch(item);
      const [b] = await current.tokenizeBatch(item);
      assert.notEqual(a?.token, b?.token);
      assert.deepEqual(
        [a, b],
        [
          ...(await expectedPairs(ta.keysDir, before.current, item)),
          ...(await expectedPairs(ta.keysDir, next, item)),
        ],
      );
    } finally {
      await old.close();
      await current.close();
    }
    await rotateOprfKeys(ta.keysDir, 0);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const member = await callerFor(ta.keysDir, 'member:ant');
    const res = await call(ta.server.url, member, 'POST', '/v1/evaluate', {
      epoch: next,
      blinded: [FIVE_G],
    });
    assert.equal(res.body['code'], 'TA_EPOCH_RETIRED');
  });
});
