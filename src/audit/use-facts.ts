/**
 * What the consent rules read from an entry that uses a consent (`query.received`, `disclosure`,
 * `screen.completed`; DESIGN §4-§5): one extraction, run on the main thread for entries the rules
 * take whole and on the page workers for the rest (page-facts.ts), so both paths judge the same
 * values. Also the disclosure digest the duplicate rule keys on.
 */
import { sha256Fast } from '../crypto/hash.js';
import type { LogEntry } from '../ledger/entry.js';
import { DIGEST_BYTES } from './digest-set.js';

export const USE_KINDS: ReadonlySet<string> = new Set(['query.received', 'disclosure', 'screen.completed']);

/** The fields of a use entry, typed; `ref` is the consent reference as logged (unchecked). */
export interface UseFacts {
  consentId: string;
  jobId: string;
  requester: string;
  ref: { index: unknown; leafHash: unknown };
  /** '' when absent or not a string. */
  purpose: string;
  /** [] when absent or not a list of strings. */
  groups: readonly string[];
  /** Disclosures only; undefined when absent or not a string. */
  owner: string | undefined;
  recordId: string | undefined;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const strings = (v: unknown): string[] | undefined =>
  Array.isArray(v) && v.every((x) => typeof x === 'string') ? (v as string[]) : undefined;

/**
 * The facts of a use entry, or undefined when it lacks jobId, requester, consentId or a consent
 * reference (an entry.format finding).
 */
export function useFacts(entry: LogEntry): UseFacts | undefined {
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
    return undefined;
  }
  const disclosure = entry.kind === 'disclosure';
  return {
    consentId,
    jobId,
    requester,
    ref: { index: ref.index, leafHash: ref.leafHash },
    purpose: str(b.purpose) ?? '',
    groups: strings(b.groups) ?? [],
    owner: disclosure ? str(b.owner) : undefined,
    recordId: disclosure ? str(b.recordId) : undefined,
  };
}

/** The duplicate rule's key of a disclosure: SHA-256(jobId ‖ LF ‖ owner ‖ LF ‖ recordId), truncated. */
export function disclosureDigest(facts: UseFacts): Uint8Array {
  const text = `${facts.jobId}\n${facts.owner ?? ''}\n${facts.recordId ?? ''}`;
  return sha256Fast(Buffer.from(text, 'utf8')).subarray(0, DIGEST_BYTES);
}
