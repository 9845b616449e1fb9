/**
 * The demo's consented steps (DESIGN §4, §6), written against the member-side building blocks a
 * lender would use: tokenize locally, sign the consent, ask the broker, open released groups
 * locally. Each function returns plain facts for the narration.
 */
import type { MemberClient } from '../client/member-client.js';
import { buildConsent } from '../consent/artefact.js';
import { randomId } from '../crypto/random.js';
import { openEnvelope } from '../envelope/open.js';
import { BrokerError, isBrokerError } from '../errors.js';
import { loadMemberIdentity } from '../keys/load.js';
import type { MatchResult } from '../match/lookup.js';
import { normalizeIdentifier, type IdentifierType } from '../normalize/index.js';
import { signObject } from '../signing/signed-object.js';
import type { Borrower } from '../synth/people.js';
import type { TokenPair, Tokenizer } from '../tokenize/tokenizer.js';

const DAY_MS = 86_400_000;

export interface DemoParties {
  keysDir: string;
  client(member: string): Promise<MemberClient>;
  tokenizer(member: string): Promise<Tokenizer>;
}

type Ids = Partial<Record<IdentifierType, string>>;

/** The borrower's identifiers as the requesting lender holds them, normalized. */
function idsOf(b: Borrower): Ids {
  return {
    cn_rid: normalizeIdentifier('cn_rid', b.rid) ?? undefined,
    phone: normalizeIdentifier('phone', b.mobile) ?? undefined,
    name: normalizeIdentifier('name', b.name) ?? undefined,
  };
}

async function tokenPairs(p: DemoParties, member: string, ids: Ids): Promise<Map<IdentifierType, TokenPair>> {
  const tokenizer = await p.tokenizer(member);
  const entries = Object.entries(ids).filter((e): e is [IdentifierType, string] => e[1] !== undefined);
  const pairs = await tokenizer.tokenizeBatch(entries.map(([type, value]) => ({ type, value })));
  return new Map(entries.map(([type], i) => [type, pairs[i] as TokenPair]));
}

function tokensOf(pairs: Map<IdentifierType, TokenPair>): Record<string, string> {
  return Object.fromEntries([...pairs].map(([type, pair]) => [type, pair.token]));
}

export interface ConsentTerms {
  purpose: string;
  groups: string[];
  perMonth: number;
  expiryDays: number;
}

/** `requester` registers the borrower's consent on `terms`; returns its id and log index. */
export async function grantConsent(
  p: DemoParties,
  requester: string,
  borrower: Borrower,
  terms: ConsentTerms,
) {
  const tokenizer = await p.tokenizer(requester);
  const pairs = await tokenPairs(p, requester, idsOf(borrower));
  const now = Date.now();
  const { body, opening } = buildConsent({
    requester,
    purpose: terms.purpose,
    subject: { epoch: tokenizer.epoch, tokens: tokensOf(pairs) },
    dataGroups: terms.groups,
    sources: '*',
    consentStart: new Date(now - 60_000),
    consentExpiry: new Date(now - 60_000 + terms.expiryDays * DAY_MS),
    frequency: { unit: 'MONTH', value: terms.perMonth },
    dataLifeDays: 30,
    evidenceDigest: 'd3'.repeat(32),
    txnId: `app-${randomId().slice(0, 8)}`,
  });
  const identity = await loadMemberIdentity(p.keysDir, requester);
  const client = await p.client(requester);
  const out = await client.grantConsent(signObject('consent.grant', body, identity), opening);
  return { consentId: out.consentId, logIndex: (out.receipt as { index: number }).index };
}

export interface OpenedRelease {
  owner: string;
  recordId: string;
  matchedOn: string[];
  state: string;
  opened: Record<string, Record<string, unknown>>;
}

/** A consented lookup of the borrower; every released group is opened locally. */
export async function queryBorrower(
  p: DemoParties,
  requester: string,
  consentId: string,
  borrower: Borrower,
) {
  const pairs = await tokenPairs(p, requester, idsOf(borrower));
  const client = await p.client(requester);
  const result = (await client.match(
    { consentId, tokens: tokensOf(pairs), groups: ['status', 'amounts'] },
    30,
  )) as MatchResult | { jobId: string };
  if (!('released' in result))
    throw new BrokerError('DEMO_FAILED', `lookup job ${result.jobId} did not finish in time`);
  const released: OpenedRelease[] = result.released.map((r) => {
    const type = r.matchedOn.find((t) => pairs.has(t)) ?? [...pairs.keys()][0];
    const pair = type === undefined ? undefined : pairs.get(type);
    if (type === undefined || pair === undefined)
      throw new BrokerError('DEMO_FAILED', 'no identifier to open with');
    return {
      owner: r.owner,
      recordId: r.recordId,
      matchedOn: r.matchedOn,
      state: String(r.meta.state),
      opened: openEnvelope(r.envelope, { type, sealKey: pair.sealKey }).groups,
    };
  });
  return {
    released,
    queryIndex: result.query.index,
    disclosures: result.released.map((r) => r.disclosure.index),
  };
}

/** Expects the lookup to be refused; returns the refusal code. */
export async function queryRefused(
  p: DemoParties,
  requester: string,
  consentId: string,
  borrower: Borrower,
): Promise<string> {
  try {
    await queryBorrower(p, requester, consentId, borrower);
  } catch (err) {
    if (isBrokerError(err)) return err.code;
    throw err;
  }
  throw new BrokerError('DEMO_FAILED', 'a lookup under a revoked consent was answered');
}

/** `member` revokes its consent with a signed request. */
export async function revokeConsent(p: DemoParties, member: string, consentId: string) {
  const identity = await loadMemberIdentity(p.keysDir, member);
  const request = signObject(
    'consent.revoke',
    { consentId, requestId: randomId(), at: new Date().toISOString(), reason: 'BORROWER_REQUEST' },
    identity,
  );
  const client = await p.client(member);
  const out = await client.changeConsent(consentId, 'revoke', request);
  return { status: String(out.status) };
}

/** Screens a portfolio under a portfolio_screening consent; counts come from declared metadata. */
export async function screenPortfolio(
  p: DemoParties,
  member: string,
  consentId: string,
  portfolio: readonly Borrower[],
) {
  const lines: string[] = [];
  for (const [i, b] of portfolio.entries()) {
    lines.push(JSON.stringify({ ref: `P${i + 1}`, tokens: tokensOf(await tokenPairs(p, member, idsOf(b))) }));
  }
  const client = await p.client(member);
  const { jobId } = await client.screen(consentId, lines.join('\n'));
  let job = await client.getScreen(jobId);
  for (let i = 0; i < 600 && job.state !== 'completed' && job.state !== 'failed'; i++) {
    await new Promise((r) => setTimeout(r, 50));
    job = await client.getScreen(jobId);
  }
  if (job.state !== 'completed')
    throw new BrokerError('DEMO_FAILED', `screening ended ${job.state}: ${job.failedReason ?? ''}`);
  const rows = (await client.screenRows(jobId)) as Array<Record<string, unknown>>;
  const withOthers = rows.filter(
    (r) => r.otherLenders !== 0 && r.otherLenders !== '<3' && !String(r.otherLenders).startsWith('<'),
  );
  return { subjects: rows.length, reportedWithOtherLenders: withOthers.length, first: rows[0] };
}
