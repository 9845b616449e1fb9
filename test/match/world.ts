/**
 * A small consortium world for the matching suites (DESIGN §3, §4, §6): a broker on the shared test
 * consortium, records sealed with the members' real consortium token secret (so a requester can
 * open what is released to it), signed consents, lifecycle requests and policies, and a raw mTLS
 * GET for the log API.
 */
import { request } from 'node:https';
import { buildConsent } from '../../src/consent/artefact.js';
import type { Frequency } from '../../src/consent/purposes.js';
import { randomId } from '../../src/crypto/random.js';
import { sealRecord } from '../../src/envelope/seal.js';
import { loadMemberIdentity, unwrapTokenSecret } from '../../src/keys/load.js';
import { POLICY_TYPE } from '../../src/match/policy.js';
import type { OwnerPolicy } from '../../src/match/policy.js';
import type { IdentifierType } from '../../src/normalize/schema.js';
import { signObject } from '../../src/signing/signed-object.js';
import type { SignedObject } from '../../src/signing/signed-object.js';
import { HmacTokenizer } from '../../src/tokenize/hmac-tokenizer.js';
import { buildBatch } from '../fixtures/batch.js';
import type { Broker } from '../api/harness.js';

export type Ids = Partial<Record<IdentifierType, string>>;

export async function memberTokenizer(keysDir: string, member: string): Promise<HmacTokenizer> {
  const secret = await unwrapTokenSecret(keysDir, member);
  return new HmacTokenizer({
    consortiumSecret: secret.secret,
    consortiumId: secret.consortiumId,
    epoch: secret.epoch,
  });
}

export function tokensFor(tokenizer: HmacTokenizer, ids: Ids): Record<string, string> {
  return Object.fromEntries(
    Object.entries(ids).map(([t, v]) => [t, tokenizer.tokenize(t as IdentifierType, v).token]),
  );
}

export interface LoanSpec {
  recordId: string;
  ids: Ids;
  state?: 'active' | 'closed' | 'delinquent';
}

/** One record line sealed to every identifier it carries. */
export function loanLine(tokenizer: HmacTokenizer, owner: string, spec: LoanSpec): string {
  const pairs = Object.entries(spec.ids).map(([type, v]) => ({
    type: type as IdentifierType,
    pair: tokenizer.tokenize(type as IdentifierType, v),
  }));
  const envelope = sealRecord({
    owner,
    recordId: spec.recordId,
    schema: 'cn-credit/1',
    groups: {
      status: { status: spec.state ?? 'active', overdueDays: spec.state === 'delinquent' ? 45 : 0 },
      amounts: { principal: 12000, balance: 8000 },
      contact: { address: 'Room 1, Somewhere Rd' },
    },
    subjects: pairs.map(({ type, pair }) => ({ type, sealKey: pair.sealKey })),
  });
  return JSON.stringify({
    recordId: spec.recordId,
    tokens: Object.fromEntries(pairs.map(({ type, pair }) => [type, pair.token])),
    meta: { state: spec.state ?? 'active', category: 'consumer' },
    envelope,
  });
}

/** Submits loans of `owner` and waits for the ingest job; throws unless every record is stored. */
export async function submitLoans(broker: Broker, owner: string, loans: LoanSpec[]): Promise<void> {
  const tokenizer = await memberTokenizer(broker.keysDir, owner);
  const batch = await buildBatch(
    broker.keysDir,
    owner,
    loans.map((l) => ({ line: loanLine(tokenizer, owner, l) })),
  );
  const client = await broker.client(owner);
  const job = await client.waitForJob((await client.submitBatch([Buffer.from(batch.text)])).jobId);
  if (job.result?.accepted !== loans.length)
    throw new Error(`ingest of ${owner} failed: ${JSON.stringify(job)}`);
}

export interface ConsentOptions {
  purpose?: string;
  groups?: string[];
  frequency?: Frequency;
  expiresInMs?: number;
  sources?: '*' | string[];
}

/** Builds, signs and registers a consent of `requester` for the borrower `ids`. */
export async function grantConsent(
  broker: Broker,
  requester: string,
  ids: Ids,
  options: ConsentOptions = {},
): Promise<{ consentId: string; tokens: Record<string, string> }> {
  const tokenizer = await memberTokenizer(broker.keysDir, requester);
  const tokens = tokensFor(tokenizer, ids);
  const now = Date.now();
  const { body, opening } = buildConsent({
    requester,
    purpose: options.purpose ?? 'loan_underwriting',
    subject: { epoch: tokenizer.epoch, tokens },
    dataGroups: options.groups ?? ['status', 'amounts'],
    sources: options.sources ?? '*',
    consentStart: new Date(now - 60_000),
    consentExpiry: new Date(now + (options.expiresInMs ?? 20 * 86_400_000)),
    frequency: options.frequency ?? { unit: 'MONTH', value: 5 },
    dataLifeDays: 30,
    evidenceDigest: 'ab'.repeat(32),
    txnId: `txn-${randomId().slice(0, 8)}`,
  });
  const identity = await loadMemberIdentity(broker.keysDir, requester);
  const signed = signObject('consent.grant', body, identity);
  const client = await broker.client(requester);
  const out = await client.grantConsent(signed, opening);
  return { consentId: out.consentId, tokens };
}

/** A signed consent.pause|resume|revoke of `member`. */
export async function lifecycleRequest(
  broker: Broker,
  member: string,
  consentId: string,
  action: 'pause' | 'resume' | 'revoke',
): Promise<SignedObject<unknown>> {
  const identity = await loadMemberIdentity(broker.keysDir, member);
  return signObject(
    `consent.${action}`,
    { consentId, requestId: randomId(), at: new Date().toISOString(), reason: 'BORROWER_REQUEST' },
    identity,
  );
}

/** Signs and puts `member`'s policy (defaults: everything allowed). */
export async function setPolicy(broker: Broker, member: string, policy: Partial<OwnerPolicy>): Promise<void> {
  const identity = await loadMemberIdentity(broker.keysDir, member);
  const body: OwnerPolicy = {
    member,
    version: 1,
    allowedPurposes: '*',
    allowedRecipients: '*',
    excludedRecipients: [],
    groupsByPurpose: {},
    dataLifeDays: 365,
    output: { records: true, aggregate: true },
    ...policy,
  };
  await (await broker.client(member)).putPolicy(signObject(POLICY_TYPE, body, identity));
}

/** GET over mutual TLS as `member`; returns status and body text. */
export async function rawGet(
  broker: Broker,
  member: string,
  path: string,
): Promise<{ status: number; body: string }> {
  const me = await loadMemberIdentity(broker.keysDir, member);
  return new Promise((resolve, reject) => {
    const req = request(
      new URL(path, broker.server.url),
      { cert: me.tls.certPem, key: me.tls.keyPem, ca: me.caCertPem },
      (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

/**
 * The log entry at `index` through the log API, once a signed checkpoint covers it: a job answers
 * as soon as its entries are sequenced (DESIGN §5), the API serves them after the next checkpoint.
 */
export async function loggedEntry(broker: Broker, member: string, index: number): Promise<string> {
  for (let i = 0; ; i++) {
    const page = await rawGet(broker, member, `/v1/log/entries?start=${index}&end=${index + 1}`);
    const entry =
      page.status === 200 ? (JSON.parse(page.body) as { entries: string[] }).entries[0] : undefined;
    if (entry !== undefined) return entry;
    if (i >= 100) throw new Error(`log entry ${index} is not served: ${page.status} ${page.body}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
