/**
 * Ingest of one signed batch (DESIGN §6 `ingest`), as a list of named checks then an idempotent
 * store. Pass 1 (verify-batch.ts) verifies the manifest (signature, signer = caller, body), the
 * record count and the recordsDigest over the exact record bytes, so a tampered batch stores
 * nothing. Pass 2 cuts the record lines into groups of chunkRecords, validates and re-keys each
 * group (prepare-pool.ts: on prepare threads, or inline) and stores its valid records in one atomic
 * step, pipelined (ordered-pipeline.ts): Redis writes one chunk while the next groups are prepared.
 * A retried run rewrites nothing, so a job killed mid-batch and run again ends exactly as if it had
 * run once.
 */
import type { PreparedRecord } from '../store/record-store.js';
import type { BeginOutcome, StoreOutcome } from '../store/scripts.js';
import { STORE_OUTCOME } from '../store/scripts.js';
import { splitLines } from './lines.js';
import type { ManifestVerifier, Party } from './manifest.js';
import { OrderedPipeline } from './ordered-pipeline.js';
import { groupLines } from './prepare-lines.js';
import type { LineGroup, PreparedLines } from './prepare-lines.js';
import type { LinePreparer } from './prepare-pool.js';
import type { Reject } from './record.js';
import { verifyBatch } from './verify-batch.js';
import { toHex } from '../util/bytes.js';
import type { BatchManifest } from './manifest.js';
import { checkManifestEpoch } from './epochs.js';
import type { EpochPolicy } from './epochs.js';

const DAY_MS = 86_400_000;

/** The slice of RecordStore that ingest needs (an interface, so tests may fake it). */
export interface IngestStore {
  beginSubmission(
    owner: string,
    batchId: string,
    digest: string,
    expiresAt: number,
    records: number,
  ): Promise<BeginOutcome>;
  storeChunk(
    owner: string,
    batchId: string,
    expiresAt: number,
    records: readonly PreparedRecord[],
  ): Promise<StoreOutcome[]>;
  finishSubmission(
    owner: string,
    batchId: string,
    digest: string,
    result: string,
    accepted: number,
    rejected: number,
  ): Promise<string>;
  submissionResult(owner: string, batchId: string): Promise<string | undefined>;
}

export interface IngestOptions {
  caller: Party;
  /** Opens the batch bytes; called once per pass. */
  open: () => AsyncIterable<Buffer>;
  verify: ManifestVerifier;
  /** Validates and re-keys line groups (inline or on prepare threads). */
  preparer: LinePreparer;
  store: IngestStore;
  chunkRecords: number;
  defaultDataLifeDays: number;
  maxRejectsReported: number;
  onProgress?: (percent: number) => Promise<void> | void;
  now?: () => number;
  /** Line groups being prepared at once (default 4: enough to keep two threads busy). */
  groupsInFlight?: number;
  /** Chunk stores in flight while the next groups are prepared (default 2). */
  storesInFlight?: number;
  /** The tokenizer epochs accepted now (epochs.ts); without it any epoch is accepted. */
  epochs?: () => Promise<EpochPolicy>;
  /** Where `submission.accepted` is logged; without it nothing is logged (unit tests). */
  log?: SubmissionLog;
}

/** The log as ingest uses it: one `submission.accepted` entry per batch, however often it runs. */
export interface SubmissionLog {
  appendSequenced(
    kind: 'submission.accepted',
    body: Record<string, unknown>,
    once: { job: string; item: string },
  ): Promise<{ index: number; leafHash: Uint8Array }>;
}

export interface IngestResult {
  batchId: string;
  member: string;
  records: number;
  accepted: number;
  rejected: number;
  rejects: Reject[];
  rejectsTruncated: boolean;
  expiresAt: string;
  /** Where the batch's `submission.accepted` entry sits in the transparency log (DESIGN §5). */
  log?: { index: number; leafHash: string };
}

class RejectList {
  readonly kept: Reject[] = [];
  count = 0;
  constructor(private readonly max: number) {}
  add(reject: Reject): void {
    this.count++;
    if (this.kept.length < this.max) this.kept.push(reject);
  }
}

/**
 * Runs both passes and returns the batch's result; the same batch again returns the stored result.
 * Throws the pass-1 codes, TOKENIZER_MISMATCH, EPOCH_NOT_ACCEPTED, BATCH_CONFLICT, and whatever the
 * store throws (Redis errors: retryable).
 */
/**
 * Logs the batch once (DESIGN §5 `submission.accepted`: the commitment and the counts, never a
 * token): a retried job after a crash between logging and finishing gets the first entry back.
 */
async function logSubmission(
  log: SubmissionLog,
  manifest: BatchManifest,
  manifestDigest: string,
  result: IngestResult,
): Promise<{ index: number; leafHash: string }> {
  const body = {
    batchId: manifest.batchId,
    member: manifest.member,
    schema: manifest.schema,
    tokenizer: manifest.tokenizer,
    epoch: manifest.epoch,
    manifestDigest,
    recordsDigest: manifest.recordsDigest,
    records: result.records,
    accepted: result.accepted,
    rejected: result.rejected,
  };
  const once = { job: `submission:${manifest.member}:${manifest.batchId}`, item: 'accepted' };
  const sequenced = await log.appendSequenced('submission.accepted', body, once);
  return { index: sequenced.index, leafHash: toHex(sequenced.leafHash) };
}

export async function ingestBatch(options: IngestOptions): Promise<IngestResult> {
  const { manifest, manifestDigest } = await verifyBatch(options.open(), options.caller, options.verify);
  if (options.epochs) checkManifestEpoch(manifest, await options.epochs(), options.now?.() ?? Date.now());
  const owner = manifest.member;
  const now = options.now?.() ?? Date.now();
  const life = (manifest.dataLifeDays ?? options.defaultDataLifeDays) * DAY_MS;
  const begun = await options.store.beginSubmission(
    owner,
    manifest.batchId,
    manifestDigest,
    now + life,
    manifest.records,
  );
  if (begun.kind === 'done') {
    const stored = await options.store.submissionResult(owner, manifest.batchId);
    if (stored !== undefined) return JSON.parse(stored) as IngestResult;
  }
  const rejects = new RejectList(options.maxRejectsReported);
  let accepted = 0;
  const onStored = async (chunk: PreparedLines, outcomes: StoreOutcome[]): Promise<void> => {
    outcomes.forEach((outcome, i) => {
      if (outcome !== STORE_OUTCOME.HELD_BY_OTHER_BATCH) accepted++;
      else {
        rejects.add({
          line: chunk.lines[i] ?? 0,
          code: 'DUPLICATE_RECORD',
          recordId: chunk.records[i]?.recordId ?? '',
          message: 'the recordId is already stored by another batch; withdraw it first',
        });
      }
    });
    await options.onProgress?.(
      Math.floor((100 * (accepted + rejects.count)) / Math.max(1, manifest.records)),
    );
  };
  const stores = new OrderedPipeline(
    (chunk: PreparedLines) =>
      options.store.storeChunk(owner, manifest.batchId, begun.expiresAt, chunk.records),
    onStored,
    options.storesInFlight ?? 2,
  );
  const seen = new Set<string>();
  // Groups are prepared out of line but handed over in order, so "earlier in this batch" holds.
  const onPrepared = async (_group: unknown, prepared: PreparedLines): Promise<void> => {
    prepared.rejects.forEach((reject) => rejects.add(reject));
    const chunk: PreparedLines = { records: [], lines: [], rejects: [] };
    prepared.records.forEach((record: PreparedRecord, i) => {
      const line = prepared.lines[i] ?? 0;
      if (seen.has(record.recordId)) {
        rejects.add({
          line,
          code: 'DUPLICATE_RECORD',
          recordId: record.recordId,
          message: 'the recordId occurs earlier in this batch',
        });
        return;
      }
      seen.add(record.recordId);
      chunk.records.push(record);
      chunk.lines.push(line);
    });
    await stores.submit(chunk);
  };
  const groups = new OrderedPipeline(
    (group: LineGroup) => options.preparer.prepare(owner, group),
    onPrepared,
    options.groupsInFlight ?? 4,
  );
  try {
    for await (const group of groupLines(splitLines(options.open()), options.chunkRecords)) {
      await groups.submit(group);
    }
    await groups.drain();
    await stores.drain();
  } catch (err) {
    // Each store is atomic: let the ones in flight end so that none outlives the failed run.
    await stores.drain().catch(() => undefined);
    throw err;
  }
  rejects.kept.sort((a, b) => a.line - b.line);
  const result: IngestResult = {
    batchId: manifest.batchId,
    member: owner,
    records: manifest.records,
    accepted,
    rejected: rejects.count,
    rejects: rejects.kept,
    rejectsTruncated: rejects.count > rejects.kept.length,
    expiresAt: new Date(begun.expiresAt).toISOString(),
  };
  if (options.log) result.log = await logSubmission(options.log, manifest, manifestDigest, result);
  const stored = await options.store.finishSubmission(
    owner,
    manifest.batchId,
    manifestDigest,
    JSON.stringify(result),
    accepted,
    rejects.count,
  );
  return JSON.parse(stored) as IngestResult;
}
