/**
 * What keeps a match or screen job safe to retry and to race with a revocation (DESIGN §4 "a
 * queued job can outlive a revocation", §5 "no disclosure is readable before its entry is
 * sequenced", §6 "retries never duplicate a disclosure or a log entry"):
 *
 * - logEntries: a job's entries are enqueued together and waited for together; each append is
 *   keyed by (job, item), so a worker that dies after appending and before saving its receipts
 *   gets the same entries back on the retry instead of logging them twice. Receipts already kept
 *   for the job are reused without touching the log (a retry that comes late).
 * - recheckConsent: after the entries are sequenced and before the result exists (logEntries runs
 *   it while it keeps the receipts), the consent is read again. If it was revoked or paused
 *   meanwhile, the result is withheld (the job fails with that code). The entries stay in the log, which may overstate releases but never hides one:
 *   no extra "withheld" entry is logged (DESIGN §5 has no such kind; the auditor sees the
 *   `consent.revoked` entry next to them). See docs/formats.md "Withheld results".
 */
import { consentStatus } from '../consent/lifecycle.js';
import { BrokerError } from '../errors.js';
import type { EntryKind } from '../ledger/entry.js';
import type { ConsentPort, LogAppender, LogReceipt, ReceiptPort } from './ports.js';

export interface PlannedEntry {
  /** Unique within the job: "query", "<owner>/<recordId>", "screen". */
  item: string;
  kind: EntryKind;
  body: Record<string, unknown>;
}

/** The consent a job used, for the re-check after its entries are sequenced. */
export interface UsedConsent {
  consents: ConsentPort;
  consentId: string;
  /** When the job used it (expiry is judged then, when the use was valid). */
  usedAt: Date;
  /** How many releases a refusal holds back (goes into the error's details). */
  withheld: number;
}

/**
 * Logs each entry at most once for the job and, once all are sequenced, keeps the new receipts
 * while it re-checks the consent (recheckConsent); resolves, in order, with the receipts. `known`
 * is the job's kept receipts, read here unless the caller read them earlier, alongside other
 * reads. Throws what recheckConsent throws, and what the log and stores throw.
 */
export async function logEntries(
  deps: { log: LogAppender; receipts: ReceiptPort },
  jobId: string,
  entries: readonly PlannedEntry[],
  used: UsedConsent,
  known: Promise<ReadonlyMap<string, LogReceipt>> = deps.receipts.get(jobId),
): Promise<LogReceipt[]> {
  const kept = await known;
  const fresh = new Map<string, LogReceipt>();
  const receipts = await Promise.all(
    entries.map(async (e) => {
      const earlier = kept.get(e.item);
      if (earlier !== undefined) return earlier;
      const receipt = await deps.log.appendSequenced(e.kind, e.body, { job: jobId, item: e.item });
      fresh.set(e.item, receipt);
      return receipt;
    }),
  );
  await Promise.all([
    fresh.size > 0 ? deps.receipts.put(jobId, fresh) : undefined,
    recheckConsent(used.consents, used.consentId, used.usedAt, used.withheld),
  ]);
  return receipts;
}

/**
 * Throws CONSENT_REVOKED / CONSENT_PAUSED when the consent was revoked or paused since the job
 * used it at `usedAt` (expiry is judged at `usedAt`, when the use was valid), CONSENT_NOT_FOUND
 * when it is gone. `withheld` (how many releases are held back) goes into the error's details.
 */
export async function recheckConsent(
  consents: ConsentPort,
  consentId: string,
  usedAt: Date,
  withheld: number,
): Promise<void> {
  const state = await consents.state(consentId);
  if (state === undefined) throw new BrokerError('CONSENT_NOT_FOUND', 'the consent is gone');
  const status = consentStatus(state, usedAt);
  if (status === 'REVOKED' || status === 'PAUSED') {
    throw new BrokerError(
      `CONSENT_${status}`,
      `the consent was ${status.toLowerCase()} while the job ran; its result is withheld`,
      {
        details: { consentId, withheld },
        hint: 'the log keeps the entries of this job; nothing was released',
      },
    );
  }
}
