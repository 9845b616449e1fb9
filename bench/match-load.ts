/**
 * Fixtures of the match bench (issue 5): an index of N realistic stored records loaded straight
 * into Redis with pipelined writes (the value and key layout ingest writes: re-keyed index keys,
 * declared metadata, a real bb1 envelope of three groups sealed once per owner and reused), and
 * consents stored directly (already sequenced) so that setup does not dominate the run.
 */
import { createHash } from 'node:crypto';
import { buildConsent } from '../src/consent/artefact.js';
import { initialState } from '../src/consent/lifecycle.js';
import { sealRecord } from '../src/envelope/seal.js';
import type { Envelope } from '../src/envelope/format.js';
import { randomBytes } from '../src/crypto/random.js';
import type { BrokerContext } from '../src/service/broker-context.js';
import type { SignedObject } from '../src/signing/signed-object.js';
import type { ConsentBody } from '../src/consent/artefact.js';

export const OWNERS = ['ant', 'didi', 'baihe', 'tencent'];
export const REQUESTER = 'tencent';

/** The cn_rid and phone tokens of synthetic borrower `b` (16 bytes, base64url, like the tokenizer's). */
export function borrowerTokens(b: number): { cn_rid: string; phone: string } {
  const t = (label: string) =>
    createHash('sha256').update(`${label}:${b}`).digest().subarray(0, 16).toString('base64url');
  return { cn_rid: t('rid'), phone: t('phone') };
}

function template(owner: string): Envelope {
  return sealRecord({
    owner,
    recordId: 'template',
    schema: 'cn-credit/1',
    groups: {
      status: { status: 'active', overdueDays: 0, lastPayment: '2026-10-05' },
      amounts: { principal: 50000, balance: 31250.5, limit: 80000, currency: 'CNY' },
      contact: { address: 'Room 1201, 88 Century Avenue, Pudong, Shanghai', email: 'someone@example.com' },
    },
    subjects: [
      { type: 'cn_rid', sealKey: randomBytes(32) },
      { type: 'phone', sealKey: randomBytes(32) },
    ],
  });
}

/**
 * Loads `records` records: record i belongs to borrower i mod `borrowers` and owner i mod 4, so
 * most borrowers are held by one or two owners. Returns the write rate (records/s).
 */
export async function loadIndex(context: BrokerContext, records: number, borrowers: number): Promise<number> {
  const { client, keys } = context;
  const templates = new Map(OWNERS.map((o) => [o, template(o)]));
  const keyer = context.matching.matchDeps.index;
  await client.sAdd(keys.owners(), OWNERS);
  const started = performance.now();
  const states = ['active', 'active', 'closed', 'delinquent'];
  const CHUNK = 2000;
  for (let first = 0; first < records; first += CHUNK) {
    const writes: Array<Promise<unknown>> = [];
    for (let i = first; i < Math.min(records, first + CHUNK); i++) {
      const owner = OWNERS[i % OWNERS.length] ?? 'ant';
      const recordId = `r${i}`;
      const tokens = borrowerTokens(i % borrowers);
      const indexKeys = { cn_rid: keyer.indexKeyOf(tokens.cn_rid), phone: keyer.indexKeyOf(tokens.phone) };
      const envelope = { ...(templates.get(owner) as Envelope), recordId };
      const meta = { state: states[i % states.length], category: 'consumer', openedMonth: '2025-03' };
      writes.push(
        client.set(
          keys.record(owner, recordId),
          `bench\n${JSON.stringify({ recordId, indexKeys, meta, envelope })}`,
        ),
      );
      for (const key of Object.values(indexKeys))
        writes.push(client.hSet(keys.indexBucket(owner, key), key, recordId));
    }
    await Promise.all(writes);
  }
  return records / ((performance.now() - started) / 1000);
}

/** Stores `count` consents of the requester directly, ready to use; consent i names borrower i. */
export async function storeConsents(
  context: BrokerContext,
  count: number,
  purpose: string,
  groups: string[],
  value: number,
): Promise<Array<{ consentId: string; tokens: Record<string, string> }>> {
  const out: Array<{ consentId: string; tokens: Record<string, string> }> = [];
  const store = context.matching.consentStore;
  for (let i = 0; i < count; i++) {
    const tokens = borrowerTokens(i);
    const { body } = buildConsent({
      requester: REQUESTER,
      purpose,
      subject: { epoch: 1, tokens },
      dataGroups: groups,
      sources: '*',
      consentStart: new Date(Date.now() - 60_000),
      consentExpiry: new Date(Date.now() + 20 * 86_400_000),
      frequency: { unit: 'MONTH', value },
      dataLifeDays: 30,
      evidenceDigest: 'ab'.repeat(32),
      txnId: `bench-${i}`,
    });
    // The bench stores the body only: the worker never re-verifies a stored grant's signature.
    const signed = {
      type: 'consent.grant',
      body,
      signer: { role: 'member', id: REQUESTER },
      keyId: '0'.repeat(64),
      alg: 'PS256',
      sig: 'bench',
    };
    await store.create(signed as SignedObject<ConsentBody>, tokens, initialState(body, true));
    await store.markSequenced(body.consentId, { index: 0, leafHash: '00'.repeat(32) });
    out.push({ consentId: body.consentId, tokens });
  }
  return out;
}
