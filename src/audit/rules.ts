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
import { applyTransition, initialState } from '../consent/lifecycle.js';
import { parseConsentEntry } from '../consent/log-entries.js';
import { checkUsable } from '../consent/usage.js';
import { isBrokerError } from '../errors.js';
import type { EntryKind, LogEntry } from '../ledger/entry.js';
import type { VerifyOptions } from '../signing/signed-object.js';
import { DigestSet, digestsFromBase64, digestsToBase64 } from './digest-set.js';
import type { AuditRule, Finding } from './findings.js';
import { checkSignedObjects } from './signatures.js';
import type { AuditState, ConsentRecord } from './state.js';
import { disclosureDigest, USE_KINDS, useFacts } from './use-facts.js';
import type { UseFacts } from './use-facts.js';

export type RulesState = Pick<AuditState, 'consents' | 'disclosures' | 'counts' | 'flows'>;

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

/**
 * Replays entries in order over a state the caller owns (its consents are mutated). Entries come
 * whole (`check`) or, for the common use entries, as facts a page worker extracted (`checkUse`);
 * both reach the same judgement.
 */
export class RuleEngine {
  readonly findings: Finding[] = [];
  readonly #seen: DigestSet;

  /** Throws RangeError when `state.disclosures` is not packed digests (state.ts checks it first). */
  constructor(
    private readonly rules: RulesState,
    private readonly verifyOptions: VerifyOptions,
  ) {
    this.#seen = new DigestSet(digestsFromBase64(rules.disclosures) ?? new Uint8Array(1));
  }

  /** The state reached so far (the disclosure digests packed again: call it once, at the end). */
  state(): RulesState {
    return { ...this.rules, disclosures: digestsToBase64(this.#seen.packed()) };
  }

  /**
   * Judges the entry at `index` whose leaf hash (hex) is `leafHash`. Never throws for what the
   * log holds: findings collect in `findings`.
   */
  check(index: number, entry: LogEntry, leafHash: string): void {
    this.count(entry.kind);
    for (const failure of checkSignedObjects(entry, this.verifyOptions)) {
      this.#find(index, 'entry.signature', `a signed object does not verify: ${failure}`);
    }
    if (entry.kind.startsWith('consent.')) this.#consentEntry(index, entry, leafHash);
    else if (USE_KINDS.has(entry.kind)) {
      const facts = useFacts(entry);
      if (facts === undefined) {
        this.#find(
          index,
          'entry.format',
          `${entry.kind} lacks jobId, requester, consentId or consent reference`,
        );
      } else {
        const digest = entry.kind === 'disclosure' ? disclosureDigest(facts) : undefined;
        this.#use(index, entry.kind, new Date(entry.at), facts, digest, 0);
      }
    }
  }

  /** Counts an entry of `kind` that carries no signed object and is judged by no rule. */
  count(kind: EntryKind): void {
    this.rules.counts[kind] = (this.rules.counts[kind] ?? 0) + 1;
  }

  /**
   * Judges a use entry (one that carries no signed object) from its facts; a disclosure's
   * `digest` (use-facts.ts disclosureDigest) is read at `digest[offset … offset + 12)`.
   */
  checkUse(
    index: number,
    kind: EntryKind,
    at: Date,
    facts: UseFacts,
    digest: Uint8Array | undefined,
    offset: number,
  ): void {
    this.count(kind);
    this.#use(index, kind, at, facts, digest, offset);
  }

  #find(index: number, rule: AuditRule, message: string): void {
    this.findings.push({ index, rule, message });
  }

  #use(
    index: number,
    kind: EntryKind,
    at: Date,
    facts: UseFacts,
    digest: Uint8Array | undefined,
    offset: number,
  ): void {
    const { consentId, ref } = facts;
    const consent = this.rules.consents[consentId];
    if (consent === undefined || consent.index !== ref.index || consent.leafHash !== ref.leafHash) {
      const where =
        consent === undefined
          ? 'no earlier consent.granted entry'
          : `consent.granted is entry ${consent.index}`;
      this.#find(
        index,
        'consent.missing',
        `${kind} cites consent ${consentId} at entry ${String(ref.index)}, but ${where} matches`,
      );
      return;
    }
    if (kind === 'disclosure' && !this.#firstDisclosure(index, facts, digest, offset)) return;
    this.#judgeUse(index, kind, at, consent, facts);
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
    const known = this.rules.consents[parsed.consentId];
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
      this.rules.consents[parsed.consentId] = {
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

  /** Records the disclosure; false (with a finding) when it was seen before. */
  #firstDisclosure(index: number, facts: UseFacts, digest: Uint8Array | undefined, offset: number): boolean {
    const owner = facts.owner ?? '';
    if (!this.#seen.add(digest ?? disclosureDigest(facts), digest ? offset : 0)) {
      this.#find(
        index,
        'disclosure.duplicate',
        `record ${facts.recordId ?? '?'} of ${owner} was already disclosed to job ${facts.jobId}`,
      );
      return false;
    }
    const flow = `${facts.requester} → ${owner}`;
    this.rules.flows[flow] = (this.rules.flows[flow] ?? 0) + 1;
    return true;
  }

  #judgeUse(index: number, kind: EntryKind, now: Date, consent: ConsentRecord, facts: UseFacts): void {
    const { jobId } = facts;
    const counted = consent.jobs.includes(jobId);
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
          now,
          requester: facts.requester,
          purpose: facts.purpose,
          requestedGroups: facts.groups,
          ...(facts.owner === undefined ? {} : { sourceOwner: facts.owner }),
        },
      ));
    } catch (err) {
      if (!isBrokerError(err)) throw err;
      const rule = USE_RULES[err.code] ?? 'consent.coverage';
      this.#find(
        index,
        rule,
        `${kind} under consent ${consent.body.consentId} (entry ${consent.index}): ${err.code} ${err.message}`,
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
