/**
 * A screening job (DESIGN §6 `screen`): one use of an aggregate-purpose consent, then the
 * portfolio in chunks: each chunk's subjects are re-keyed and probed together (one script per
 * owner, returning only declared states), counted (screen.ts) and reported under the small-count
 * rule; progress after each chunk. The probes of a few chunks are in flight while the next chunk is
 * parsed and re-keyed. Finally `screen.completed` with counts only; the consent is re-checked
 * (retry-safety.ts) and the rows become readable once that entry is sequenced. A retried job
 * starts the rows over; its consent use and its log entry are not repeated.
 */
import { IDENTIFIER_TYPES } from '../normalize/schema.js';
import type { IdentifierType } from '../normalize/schema.js';
import { useConsent } from './consent-use.js';
import type { ConsentPort, IndexPort, LogAppender, LogReceipt, PolicyPort, ReceiptPort } from './ports.js';
import type { ScreenSubject } from './request.js';
import { logEntries } from './retry-safety.js';
import { countSubject, reportRow } from './screen.js';
import type { ScreenHit, ScreenRow } from './screen.js';
import type { PurposeRegistry } from '../consent/purposes.js';

/** Chunks probed at once: enough to keep Redis and this process both busy, bounded in memory. */
const CHUNKS_IN_FLIGHT = 8;

export interface ScreenDeps {
  registry: PurposeRegistry;
  consents: ConsentPort;
  index: IndexPort;
  policies: PolicyPort;
  log: LogAppender;
  receipts: ReceiptPort;
  rows: {
    drop(jobId: string): Promise<void>;
    append(jobId: string, rows: readonly ScreenRow[]): Promise<void>;
  };
  now: () => Date;
}

export interface ScreenInput {
  jobId: string;
  requester: string;
  consentId: string;
  /** The portfolio, parsed line by line (hostile input: parse errors fail the job). */
  subjects: AsyncIterable<ScreenSubject[]>;
  onProgress?: (subjectsDone: number) => Promise<void> | void;
}

export interface ScreenResult {
  jobId: string;
  consentId: string;
  purpose: string;
  subjects: number;
  k: number;
  receipt: LogReceipt;
}

/**
 * Runs one screening job. Throws every code of useConsent, TOKEN_MALFORMED, SCREEN_INVALID (from
 * the subjects source), STORE_CORRUPT, and whatever the log and stores throw.
 */
export async function runScreen(deps: ScreenDeps, input: ScreenInput): Promise<ScreenResult> {
  const now = deps.now();
  const { consent, spec } = await useConsent(deps.consents, deps.registry, {
    consentId: input.consentId,
    jobId: input.jobId,
    requester: input.requester,
    output: 'aggregate',
    groups: [],
    now,
  });
  const body = consent.body;
  const k = spec.smallCountThreshold ?? 1;
  const owners = (await deps.index.owners()).filter(
    (o) => o !== input.requester && (body.sources === '*' || body.sources.includes(o)),
  );
  const policies = await deps.policies.policies(owners);
  const rules = {
    requester: input.requester,
    purpose: body.purpose,
    minimumMatch: spec.minimumMatch,
    k,
    policyOf: (owner: string) => policies.get(owner),
  };
  await deps.rows.drop(input.jobId);
  let subjects = 0;
  let withOtherLenders = 0;
  // Rows are written without waiting for each write: they go out in order on one connection, so
  // the rows keep the portfolio's order, and a chunk's report never queues behind the Redis work of
  // the chunks probed after it. Every write is awaited before the job logs its completion.
  const writes: Array<Promise<unknown>> = [];
  const report = (chunk: readonly ScreenSubject[], found: ScreenHit[][]): void => {
    const rows = chunk.map((s, i) => {
      const counts = countSubject(found[i] ?? [], rules);
      if (counts.otherLenders > 0) withOtherLenders++;
      return reportRow(s.ref, counts, k);
    });
    subjects += chunk.length;
    for (const write of [deps.rows.append(input.jobId, rows), input.onProgress?.(subjects)]) {
      if (write === undefined) continue;
      const settled = Promise.resolve(write);
      settled.catch(() => undefined);
      writes.push(settled);
    }
  };
  // Up to CHUNKS_IN_FLIGHT chunks are probed at once while the next is parsed and re-keyed; each
  // is reported after the one before it.
  let reported: Promise<void> = Promise.resolve();
  const inFlight: Array<Promise<void>> = [];
  for await (const chunk of input.subjects) {
    const keyed = chunk.map((s) => subjectKeys(deps.index, s));
    const probed = deps.index.screenHits(owners, keyed);
    const previous = reported;
    reported = (async () => {
      const found = await probed;
      await previous;
      report(chunk, found);
    })();
    // Observed below or by a later chunk; the handler keeps a failure from going unhandled meanwhile.
    reported.catch(() => undefined);
    inFlight.push(reported);
    if (inFlight.length >= CHUNKS_IN_FLIGHT) await inFlight.shift();
  }
  await reported;
  await Promise.all(writes);
  const used = { consents: deps.consents, consentId: input.consentId, usedAt: now, withheld: subjects };
  const [receipt] = await logEntries(
    deps,
    input.jobId,
    [
      {
        item: 'screen',
        kind: 'screen.completed',
        body: {
          jobId: input.jobId,
          requester: input.requester,
          consentId: body.consentId,
          consent: { index: consent.receipt.index, leafHash: consent.receipt.leafHash },
          purpose: body.purpose,
          subjects,
          subjectsWithOtherLenders: withOtherLenders,
          owners: owners.length,
          k,
        },
      },
    ],
    used,
  );
  if (receipt === undefined) throw new Error('unreachable: the screen receipt is missing');
  return { jobId: input.jobId, consentId: body.consentId, purpose: body.purpose, subjects, k, receipt };
}

/** The re-keyed index keys of one subject's tokens. Throws TOKEN_MALFORMED. */
function subjectKeys(index: IndexPort, subject: ScreenSubject): Partial<Record<IdentifierType, string>> {
  const keys: Partial<Record<IdentifierType, string>> = {};
  for (const type of IDENTIFIER_TYPES) {
    const token = subject.tokens[type];
    if (token !== undefined) keys[type] = index.indexKeyOf(token);
  }
  return keys;
}
