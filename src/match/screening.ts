/**
 * A screening job (DESIGN §6 `screen`): one use of an aggregate-purpose consent, then the
 * portfolio in chunks: each chunk's subjects are re-keyed, looked up together (pipelined), counted
 * (screen.ts) and reported under the small-count rule; progress after each chunk; finally
 * `screen.completed` with counts only, and the rows become readable once that entry is sequenced.
 * A retried job starts the rows over; its consent use and its log entry are not repeated.
 */
import { BrokerError } from '../errors.js';
import { IDENTIFIER_TYPES } from '../normalize/schema.js';
import type { IdentifierType } from '../normalize/schema.js';
import { useConsent } from './consent-use.js';
import type { ConsentPort, IndexPort, LogAppender, LogReceipt, PolicyPort, ReceiptPort } from './ports.js';
import type { ScreenSubject } from './request.js';
import { countSubject, reportRow } from './screen.js';
import type { ScreenHit, ScreenRow } from './screen.js';
import type { PurposeRegistry } from '../consent/purposes.js';

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

interface RecordView {
  indexKeys?: Partial<Record<IdentifierType, string>>;
  meta?: { state?: string };
}

function hitOf(owner: string, value: string, subject: Partial<Record<IdentifierType, string>>): ScreenHit {
  let record: RecordView;
  try {
    record = JSON.parse(value) as RecordView;
  } catch {
    throw new BrokerError('STORE_CORRUPT', 'a stored record is not JSON');
  }
  const keys = record.indexKeys ?? {};
  const matchedOn = IDENTIFIER_TYPES.filter((t) => subject[t] !== undefined && keys[t] === subject[t]);
  return { owner, state: record.meta?.state ?? '', matchedOn };
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
  for await (const chunk of input.subjects) {
    const keyed = chunk.map((s) => {
      const keys: Partial<Record<IdentifierType, string>> = {};
      for (const type of IDENTIFIER_TYPES) {
        const token = s.tokens[type];
        if (token !== undefined) keys[type] = deps.index.indexKeyOf(token);
      }
      return keys;
    });
    const found = await deps.index.findEach(
      owners,
      keyed.map((keys) => Object.values(keys)),
    );
    const rows = chunk.map((s, i) => {
      const keys = keyed[i] ?? {};
      const counts = countSubject(
        (found[i] ?? []).map((c) => hitOf(c.owner, c.value, keys)),
        rules,
      );
      if (counts.otherLenders > 0) withOtherLenders++;
      return reportRow(s.ref, counts, k);
    });
    await deps.rows.append(input.jobId, rows);
    subjects += chunk.length;
    await input.onProgress?.(subjects);
  }
  const known = await deps.receipts.get(input.jobId);
  let receipt = known.get('screen');
  if (receipt === undefined) {
    const full = await deps.log.appendEntry('screen.completed', {
      jobId: input.jobId,
      requester: input.requester,
      consentId: body.consentId,
      consent: { index: consent.receipt.index, leafHash: consent.receipt.leafHash },
      purpose: body.purpose,
      subjects,
      subjectsWithOtherLenders: withOtherLenders,
      owners: owners.length,
      k,
    });
    receipt = { index: full.index, leafHash: full.leafHash };
    await deps.receipts.put(input.jobId, 'screen', receipt);
  }
  return { jobId: input.jobId, consentId: body.consentId, purpose: body.purpose, subjects, k, receipt };
}
