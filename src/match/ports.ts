/**
 * What the match and screen domain needs from the outside (DESIGN §4, §5, §6), as interfaces: the
 * stores, the index and the transparency log are injected by the job adapters, so src/match/ stays
 * free of Redis, requests and jobs, and tests can fake any of them.
 */
import type { ConsentBody } from '../consent/artefact.js';
import type { ConsentState } from '../consent/lifecycle.js';
import type { ConsentUsage } from '../consent/usage.js';
import type { EntryKind } from '../ledger/entry.js';
import type { OwnerPolicy } from './policy.js';
import type { SubjectTokens } from './request.js';

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

/** Appends an entry and resolves once it is sequenced (DESIGN §5: nothing is readable before). */
export interface LogAppender {
  appendEntry(kind: EntryKind, body: Record<string, unknown>): Promise<FullReceipt>;
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
  /** `find` for many subjects at once (pipelined): one list of candidates per subject, in order. */
  findEach(owners: readonly string[], subjects: readonly (readonly string[])[]): Promise<Candidate[][]>;
  /** Every owner that holds records. */
  owners(): Promise<string[]>;
}

export interface PolicyPort {
  /** The policies in force of `owners` (absent: the owner never set one). */
  policies(owners: readonly string[]): Promise<Map<string, OwnerPolicy>>;
}

/** Receipts per job, so that a retried job never logs the same entry twice. */
export interface ReceiptPort {
  get(jobId: string): Promise<Map<string, LogReceipt>>;
  put(jobId: string, key: string, receipt: LogReceipt): Promise<void>;
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
  publish(member: string, event: UsageEvent): Promise<void>;
}
