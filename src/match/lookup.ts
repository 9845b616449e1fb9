/**
 * The consented lookup of one subject across identifier types (DESIGN §6 `match`), as a list of
 * named steps: use the consent (consent-use.ts); check the requester's tokens are the consent's
 * subject; find other members' records on ANY of the subject's re-keyed tokens (so a borrower known
 * by resident ID at one lender and by phone at another is found at both); keep those that meet the
 * purpose's minimum match and that each owner's policy releases; log `query.received` and one
 * `disclosure` per released record, all enqueued together; once every entry is sequenced
 * (DESIGN §5), re-check the consent (retry-safety.ts) and only then tell the owners and answer.
 * Each entry is logged at most once per job, even when a worker dies between appending it and
 * saving its receipt: the append itself is keyed by (job, item).
 *
 * A withheld record is not mentioned in the answer: the requester learns nothing about who holds
 * what beyond what a consented release shows (DESIGN §1).
 */
import { satisfiesMinimumMatch } from '../consent/subject.js';
import type { PurposeRegistry } from '../consent/purposes.js';
import type { Envelope } from '../envelope/format.js';
import { BrokerError } from '../errors.js';
import type { RecordMeta } from '../ingest/record.js';
import { IDENTIFIER_TYPES } from '../normalize/schema.js';
import type { IdentifierType } from '../normalize/schema.js';
import { useConsent } from './consent-use.js';
import { decideRelease } from './policy.js';
import type { OwnerPolicy } from './policy.js';
import type {
  Candidate,
  ConsentPort,
  EventPort,
  IndexPort,
  LogAppender,
  LogReceipt,
  PolicyPort,
  ReceiptPort,
} from './ports.js';
import { matchedTypes, parseStoredRecord, recordCommitment, releasedEnvelope } from './release.js';
import { logEntries } from './retry-safety.js';
import type { PlannedEntry } from './retry-safety.js';
import type { SubjectKeys } from './release.js';
import type { MatchRequest } from './request.js';

const DAY_MS = 86_400_000;

export interface MatchDeps {
  registry: PurposeRegistry;
  consents: ConsentPort;
  index: IndexPort;
  policies: PolicyPort;
  log: LogAppender;
  receipts: ReceiptPort;
  events: EventPort;
  now: () => Date;
}

export interface MatchInput extends MatchRequest {
  jobId: string;
  requester: string;
  purpose?: string;
}

export interface ReleasedRecord {
  owner: string;
  recordId: string;
  meta: RecordMeta;
  /** The identifier types on which the record matched the subject. */
  matchedOn: IdentifierType[];
  /** The released groups, each with the slots of the identifier types the requester supplied. */
  envelope: Envelope;
  /** Keep the opened data no longer than this (consent dataLife ∩ owner policy). */
  retainUntil: string;
  disclosure: LogReceipt;
}

export interface MatchResult {
  jobId: string;
  consentId: string;
  purpose: string;
  query: LogReceipt;
  released: ReleasedRecord[];
}

interface PlannedRelease extends Omit<ReleasedRecord, 'disclosure'> {
  commitment: string;
  groups: string[];
}

/** Throws MATCH_SUBJECT_NOT_CONSENTED unless every supplied token is the consent subject's token. */
function checkSubject(tokens: MatchRequest['tokens'], consented: MatchRequest['tokens']): void {
  const foreign = IDENTIFIER_TYPES.filter((t) => tokens[t] !== undefined && tokens[t] !== consented[t]);
  if (foreign.length > 0) {
    throw new BrokerError('MATCH_SUBJECT_NOT_CONSENTED', 'the tokens are not those of the consent subject', {
      details: { types: foreign },
      hint: 'query with the tokens of the borrower who gave the consent',
    });
  }
}

/**
 * Runs one match job. Throws every code of useConsent, MATCH_SUBJECT_NOT_CONSENTED,
 * TOKEN_MALFORMED, STORE_CORRUPT, and whatever the log and stores throw (retryable).
 */
export async function runMatch(deps: MatchDeps, input: MatchInput): Promise<MatchResult> {
  const now = deps.now();
  // The reads that do not depend on the consent start with it: the job's kept receipts, and the
  // other members' records on the supplied tokens with their owners' policies. Nothing read is
  // used unless the consent is usable and the tokens are its subject's; a refusal answers as soon
  // as the consent is judged, without waiting for them (so its timing says nothing of matches).
  const known = deps.receipts.get(input.jobId);
  const found = findCandidates(deps, input);
  known.catch(() => undefined);
  found.catch(() => undefined);
  const { consent, spec } = await useConsent(deps.consents, deps.registry, {
    consentId: input.consentId,
    jobId: input.jobId,
    requester: input.requester,
    output: 'records',
    ...(input.purpose === undefined ? {} : { purpose: input.purpose }),
    groups: input.groups,
    now,
  });
  const body = consent.body;
  checkSubject(input.tokens, consent.tokens);
  const { subject, supplied, candidates: all, policies } = await found;
  const candidates = all.filter((c) => body.sources === '*' || body.sources.includes(c.owner));
  const planned: PlannedRelease[] = [];
  for (const candidate of candidates) {
    const record = parseStoredRecord(candidate.value);
    const matchedOn = matchedTypes(record, subject);
    if (!satisfiesMinimumMatch(matchedOn, spec.minimumMatch)) continue;
    const decision = decideRelease(policies.get(candidate.owner), {
      requester: input.requester,
      purpose: body.purpose,
      output: 'records',
      groups: input.groups,
    });
    if (!decision.allowed) continue;
    const envelope = releasedEnvelope(record.envelope, decision.groups, supplied);
    const groups = Object.keys(envelope.groups);
    if (groups.length === 0) continue;
    const lifeDays = Math.min(body.dataLifeDays, decision.dataLifeDays);
    planned.push({
      owner: candidate.owner,
      recordId: record.recordId,
      meta: record.meta,
      matchedOn,
      envelope,
      groups,
      commitment: recordCommitment(candidate.value),
      retainUntil: new Date(now.getTime() + lifeDays * DAY_MS).toISOString(),
    });
  }

  const consentRef = { index: consent.receipt.index, leafHash: consent.receipt.leafHash };
  const entries: PlannedEntry[] = [
    {
      item: 'query',
      kind: 'query.received',
      body: {
        jobId: input.jobId,
        requester: input.requester,
        consentId: body.consentId,
        consent: consentRef,
        purpose: body.purpose,
        identifierTypes: supplied,
        groups: input.groups,
      },
    },
    ...planned.map((p): PlannedEntry => ({
      item: `${p.owner}/${p.recordId}`,
      kind: 'disclosure',
      body: {
        jobId: input.jobId,
        requester: input.requester,
        owner: p.owner,
        recordId: p.recordId,
        recordCommitment: p.commitment,
        groups: p.groups,
        matchedOn: p.matchedOn,
        purpose: body.purpose,
        consentId: body.consentId,
        consent: consentRef,
      },
    })),
  ];
  // The owners are noted before anything is logged: a revocation from here on tells them.
  await deps.consents.noteOwners(input.consentId, [...new Set(planned.map((p) => p.owner))]);
  const used = { consents: deps.consents, consentId: input.consentId, usedAt: now, withheld: planned.length };
  const [query, ...receipts] = await logEntries(deps, input.jobId, entries, used, known);
  if (query === undefined) throw new Error('unreachable: the query receipt is missing');
  const released = planned.map(({ commitment: _c, groups: _g, ...rest }, i) => {
    const disclosure = receipts[i];
    if (disclosure === undefined) throw new Error('unreachable: a disclosure receipt is missing');
    return { ...rest, disclosure };
  });
  await notifyOwners(deps, input, body.purpose, planned, receipts, now);
  return { jobId: input.jobId, consentId: body.consentId, purpose: body.purpose, query, released };
}

interface Found {
  subject: SubjectKeys;
  supplied: IdentifierType[];
  /** Records of every member but the requester on the subject's index keys. */
  candidates: Candidate[];
  policies: Map<string, OwnerPolicy>;
}

/** The records of other members on the supplied tokens and their owners' policies. Throws TOKEN_MALFORMED. */
async function findCandidates(deps: MatchDeps, input: MatchInput): Promise<Found> {
  const supplied = IDENTIFIER_TYPES.filter((t) => input.tokens[t] !== undefined);
  const subject: SubjectKeys = {};
  for (const type of supplied) subject[type] = deps.index.indexKeyOf(input.tokens[type] ?? '');
  const owners = (await deps.index.owners()).filter((o) => o !== input.requester);
  const [candidates, policies] = await Promise.all([
    deps.index.find(owners, Object.values(subject)),
    deps.policies.policies(owners),
  ]);
  return { subject, supplied, candidates, policies };
}

/** Tells each owner about the releases of its records (the feed drops a retry's copies). */
async function notifyOwners(
  deps: MatchDeps,
  input: MatchInput,
  purpose: string,
  planned: readonly PlannedRelease[],
  receipts: readonly LogReceipt[],
  now: Date,
): Promise<void> {
  await Promise.all(
    planned.map((p, i) =>
      deps.events.publish(p.owner, {
        type: 'release',
        at: now.toISOString(),
        requester: input.requester,
        purpose,
        consentId: input.consentId,
        recordId: p.recordId,
        jobId: input.jobId,
        groups: p.groups,
        disclosureIndex: receipts[i]?.index ?? -1,
      }),
    ),
  );
}
