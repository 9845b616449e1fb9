/**
 * What the match and screen domain needs from the outside (DESIGN §4, §5, §6), as interfaces: the
 * stores, the index and the transparency log are injected by the job adapters, so src/match/ stays
 * free of Redis, requests and jobs, and tests can fake any of them.
 */
import type { ConsentBody } from '../consent/artefact.js';
import type { ConsentState } from '../consent/lifecycle.js';
import type { ConsentUsage } from '../consent/usage.js';
import type { EntryKind } from '../ledger/entry.js';
import type { IdentifierType } from '../normalize/schema.js';
import type { OwnerPolicy } from './policy.js';
import type { SubjectTokens } from './request.js';
import type { ScreenHit } from './screen.js';

/** The part of a log receipt a disclosure refers to: the entry's index and leaf hash (hex). */
export interface LogReceipt {
  index: number;
  leafHash: string;
}

/** A full receipt: with the signed checkpoint and the C2SP tlog-proof once a checkpoint covers it. */
export interface FullReceipt extends LogReceipt {
  checkpoint?: string;
  proof?: string;
}

/** Names an entry a job logs at most once: `item` is e.g. "query" or "<owner>/<recordId>". */
export interface OnceKey {
  job: string;
  item: string;
}

export interface LogAppender {
  /** Appends an entry; resolves with its full receipt once a signed checkpoint covers it. */
  appendEntry(kind: EntryKind, body: Record<string, unknown>): Promise<FullReceipt>;
  /**
   * Appends an entry at most once per `once` and resolves as soon as it is sequenced (DESIGN §5:
   * no disclosure is readable before): a retry gets the first attempt's index and leaf hash.
   */
  appendSequenced(kind: EntryKind, body: Record<string, unknown>, once: OnceKey): Promise<LogReceipt>;
}

/** A consent as the broker holds it: the signed body, the subject's tokens, state and usage. */
export interface StoredConsent {
  body: ConsentBody;
  tokens: SubjectTokens;
  /** Receipt of its `consent.granted` entry. */
  receipt: LogReceipt;
  state: ConsentState;
  usage: ConsentUsage;
  /** Jobs whose use is already counted (a retried job does not count twice). */
  countedJobs: ReadonlySet<string>;
}

export type UseOutcome = 'counted' | 'already-counted' | 'exceeded';

export interface ConsentPort {
  get(consentId: string): Promise<StoredConsent | undefined>;
  /** The lifecycle state alone (one read, no signed document), or undefined when the consent is gone. */
  state(consentId: string): Promise<ConsentState | undefined>;
  /** Counts the use of `jobId` in `interval` atomically unless `limit` uses are already counted. */
  countUse(consentId: string, jobId: string, interval: string, limit: number, now: Date): Promise<UseOutcome>;
  /** Remembers the owners whose records were released under the consent. */
  noteOwners(consentId: string, owners: readonly string[]): Promise<void>;
}

/** A stored record found on one of the subject's index keys. */
export interface Candidate {
  owner: string;
  recordId: string;
  /** The stored value (JSON) as ingest wrote it. */
  value: string;
}

export interface IndexPort {
  /** Re-keys a member token. Throws TOKEN_MALFORMED. */
  indexKeyOf(token: string): string;
  /** Records of `owners` carrying any of `indexKeys`, each record once. */
  find(owners: readonly string[], indexKeys: readonly string[]): Promise<Candidate[]>;
  /**
   * Screening probes of many subjects (one round trip per owner): per subject, in order, the
   * records of `owners` found on its index keys, as owner, declared state and matched types.
   */
  screenHits(
    owners: readonly string[],
    subjects: ReadonlyArray<Partial<Record<IdentifierType, string>>>,
  ): Promise<ScreenHit[][]>;
  /** Every owner that holds records. */
  owners(): Promise<string[]>;
}

export interface PolicyPort {
  /** The policies in force of `owners` (absent: the owner never set one). */
  policies(owners: readonly string[]): Promise<Map<string, OwnerPolicy>>;
}

/** The log receipts of each job, kept after it (a late retry reuses them without the log). */
export interface ReceiptPort {
  get(jobId: string): Promise<Map<string, LogReceipt>>;
  /** Stores several receipts of a job in one step. */
  put(jobId: string, receipts: ReadonlyMap<string, LogReceipt>): Promise<void>;
}

/** One event of an owner's usage feed (GET /v1/events). */
export type UsageEvent =
  | {
      type: 'release';
      at: string;
      requester: string;
      purpose: string;
      consentId: string;
      recordId: string;
      jobId: string;
      groups: string[];
      disclosureIndex: number;
    }
  | { type: 'consent.revoked'; at: string; requester: string; purpose: string; consentId: string };

export interface EventPort {
  /** Adds an event to the member's feed; a release is added once per (jobId, recordId). */
  publish(member: string, event: UsageEvent): Promise<void>;
}
