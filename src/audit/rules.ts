/**
 * The rule checks an auditor replays over the log, entry by entry, in index order (issue 6,
 * DESIGN §4 and §5): consent lifecycle entries are replayed with the consent domain's own pure
 * functions (parseConsentEntry, applyTransition with `now` = the entry's acceptedAt), and every
 * use of a consent (`query.received`, `disclosure`, `screen.completed`) is judged with the very
 * `checkUsable` the broker's jobs run, at the entry's time: the consent entry must precede it and
 * match the cited index and leaf hash, be ACTIVE, cover purpose, groups and source, and be within
 * its frequency (a job counts once per calendar interval, as the broker counts it). A disclosure
 * of the same (job, owner, record) twice is a duplicate. Pure: no I/O.
 */
import { sha256Fast } from '../crypto/hash.js';
import { applyTransition, initialState } from '../consent/lifecycle.js';
import { parseConsentEntry } from '../consent/log-entries.js';
import { checkUsable } from '../consent/usage.js';
import { isBrokerError } from '../errors.js';
import type { LogEntry } from '../ledger/entry.js';
import type { VerifyOptions } from '../signing/signed-object.js';
import { toBase64url } from '../util/bytes.js';
import type { AuditRule, Finding } from './findings.js';
import { checkSignedObjects } from './signatures.js';
import type { AuditState, ConsentRecord } from './state.js';

export type RulesState = Pick<AuditState, 'consents' | 'disclosures' | 'counts' | 'flows'>;

const USE_KINDS: ReadonlySet<string> = new Set(['query.received', 'disclosure', 'screen.completed']);

const USE_RULES: Readonly<Record<string, AuditRule>> = {
  CONSENT_NOT_FOUND: 'consent.missing',
  CONSENT_NOT_SEQUENCED: 'consent.missing',
  CONSENT_REVOKED: 'consent.inactive',
  CONSENT_EXPIRED: 'consent.inactive',
  CONSENT_PAUSED: 'consent.inactive',
  CONSENT_NOT_STARTED: 'consent.inactive',
  CONSENT_WRONG_REQUESTER: 'consent.coverage',
  CONSENT_WRONG_PURPOSE: 'consent.coverage',
  CONSENT_GROUP_NOT_COVERED: 'consent.coverage',
  CONSENT_SOURCE_NOT_COVERED: 'consent.coverage',
  CONSENT_FREQUENCY_EXCEEDED: 'consent.frequency',
};

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const strings = (v: unknown): string[] | undefined =>
  Array.isArray(v) && v.every((x) => typeof x === 'string') ? (v as string[]) : undefined;

/** Replays entries in order over a state the caller owns (it is mutated). */
export class RuleEngine {
  readonly findings: Finding[] = [];
  readonly #seen: Set<string>;

  constructor(
    readonly state: RulesState,
    private readonly verifyOptions: VerifyOptions,
  ) {
    this.#seen = new Set(state.disclosures);
  }

  /**
   * Judges the entry at `index` whose leaf hash (hex) is `leafHash`. Never throws for what the
   * log holds: findings collect in `findings`.
   */
  check(index: number, entry: LogEntry, leafHash: string): void {
    this.state.counts[entry.kind] = (this.state.counts[entry.kind] ?? 0) + 1;
    for (const failure of checkSignedObjects(entry, this.verifyOptions)) {
      this.#find(index, 'entry.signature', `a signed object does not verify: ${failure}`);
    }
    if (entry.kind.startsWith('consent.')) this.#consentEntry(index, entry, leafHash);
    else if (USE_KINDS.has(entry.kind)) this.#use(index, entry);
  }

  #find(index: number, rule: AuditRule, message: string): void {
    this.findings.push({ index, rule, message });
  }

  #consentEntry(index: number, entry: LogEntry, leafHash: string): void {
    let parsed;
    try {
      parsed = parseConsentEntry(entry.body);
    } catch (err) {
      if (!isBrokerError(err)) throw err;
      this.#find(index, 'consent.entry', err.message);
      return;
    }
    const known = this.state.consents[parsed.consentId];
    if (parsed.kind === 'consent.granted') {
      if (known !== undefined) {
        this.#find(
          index,
          'consent.entry',
          `consent ${parsed.consentId} was already granted at entry ${known.index}`,
        );
        return;
      }
      const body = parsed.artefact.body;
      this.state.consents[parsed.consentId] = {
        index,
        leafHash,
        body,
        state: initialState(body, true),
        interval: null,
        jobs: [],
        total: 0,
      };
      return;
    }
    if (known === undefined) {
      this.#find(
        index,
        'consent.missing',
        `${parsed.kind} of consent ${parsed.consentId}, which no earlier entry granted`,
      );
      return;
    }
    try {
      known.state = applyTransition(known.state, parsed.request, new Date(parsed.acceptedAt));
    } catch (err) {
      if (!isBrokerError(err)) throw err;
      this.#find(
        index,
        'consent.lifecycle',
        `${parsed.kind} of consent ${parsed.consentId}: ${err.code} ${err.message}`,
      );
    }
  }

  #use(index: number, entry: LogEntry): void {
    const b = entry.body;
    const consentId = str(b.consentId);
    const jobId = str(b.jobId);
    const requester = str(b.requester);
    const ref = b.consent as { index?: unknown; leafHash?: unknown } | undefined;
    if (
      consentId === undefined ||
      jobId === undefined ||
      requester === undefined ||
      typeof ref !== 'object' ||
      ref === null
    ) {
      this.#find(
        index,
        'entry.format',
        `${entry.kind} lacks jobId, requester, consentId or consent reference`,
      );
      return;
    }
    const consent = this.state.consents[consentId];
    if (consent === undefined || consent.index !== ref.index || consent.leafHash !== ref.leafHash) {
      const where =
        consent === undefined
          ? 'no earlier consent.granted entry'
          : `consent.granted is entry ${consent.index}`;
      this.#find(
        index,
        'consent.missing',
        `${entry.kind} cites consent ${consentId} at entry ${String(ref.index)}, but ${where} matches`,
      );
      return;
    }
    if (entry.kind === 'disclosure' && !this.#firstDisclosure(index, jobId, b)) return;
    this.#judgeUse(index, entry, consent, jobId, requester);
  }

  /** Records the disclosure; false (with a finding) when it was seen before. */
  #firstDisclosure(index: number, jobId: string, b: Record<string, unknown>): boolean {
    const owner = str(b.owner) ?? '';
    const key = toBase64url(
      sha256Fast(Buffer.from(`${jobId}\n${owner}\n${str(b.recordId) ?? ''}`, 'utf8')).subarray(0, 12),
    );
    if (this.#seen.has(key)) {
      this.#find(
        index,
        'disclosure.duplicate',
        `record ${str(b.recordId) ?? '?'} of ${owner} was already disclosed to job ${jobId}`,
      );
      return false;
    }
    this.#seen.add(key);
    this.state.disclosures.push(key);
    const flow = `${str(b.requester) ?? '?'} → ${owner}`;
    this.state.flows[flow] = (this.state.flows[flow] ?? 0) + 1;
    return true;
  }

  #judgeUse(index: number, entry: LogEntry, consent: ConsentRecord, jobId: string, requester: string): void {
    const b = entry.body;
    const counted = consent.jobs.includes(jobId);
    const owner = entry.kind === 'disclosure' ? str(b.owner) : undefined;
    let interval: string;
    try {
      // A job already counted is not counted again (as the broker's useConsent); usesInInterval
      // ignores the count when `interval` is not the entry's calendar interval.
      ({ interval } = checkUsable(
        consent.body,
        consent.state,
        {
          interval: consent.interval,
          count: consent.jobs.length - (counted ? 1 : 0),
          total: consent.total,
          lastUsedAt: null,
        },
        {
          now: new Date(entry.at),
          requester,
          purpose: str(b.purpose) ?? '',
          requestedGroups: strings(b.groups) ?? [],
          ...(owner === undefined ? {} : { sourceOwner: owner }),
        },
      ));
    } catch (err) {
      if (!isBrokerError(err)) throw err;
      const rule = USE_RULES[err.code] ?? 'consent.coverage';
      this.#find(
        index,
        rule,
        `${entry.kind} under consent ${consent.body.consentId} (entry ${consent.index}): ${err.code} ${err.message}`,
      );
      return;
    }
    if (interval !== consent.interval) {
      consent.interval = interval;
      consent.jobs = [jobId];
      consent.total++;
    } else if (!counted) {
      consent.jobs.push(jobId);
      consent.total++;
    }
  }
}
