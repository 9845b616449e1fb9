/**
 * Ingest of one signed batch (DESIGN §6 `ingest`), as a list of named checks then an idempotent
 * store. Pass 1 (verify-batch.ts) verifies the manifest (signature, signer = caller, body), the
 * record count and the recordsDigest over the exact record bytes, so a tampered batch stores
 * nothing. Pass 2 validates and re-keys records chunk by chunk and stores each chunk in one atomic
 * step, pipelined (store-pipeline.ts): Redis writes one chunk while the next is validated. A retried
 * run rewrites nothing, so a job killed mid-batch and run again ends exactly as if it had run once.
 */
import type { IndexKeyer } from '../tokenize/index-key.js';
import type { PreparedRecord } from '../store/record-store.js';
import type { BeginOutcome, StoreOutcome } from '../store/scripts.js';
import { STORE_OUTCOME } from '../store/scripts.js';
import { splitLines } from './lines.js';
import type { ManifestVerifier, Party } from './manifest.js';
import { prepareRecord, rejectOf } from './record.js';
import type { Reject } from './record.js';
import { StorePipeline } from './store-pipeline.js';
import type { PreparedChunk } from './store-pipeline.js';
import { verifyBatch } from './verify-batch.js';

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
  keyer: IndexKeyer;
  store: IngestStore;
  chunkRecords: number;
  defaultDataLifeDays: number;
  maxRejectsReported: number;
  onProgress?: (percent: number) => Promise<void> | void;
  now?: () => number;
  /** Chunk stores in flight while the next chunk is validated (default 2). */
  storesInFlight?: number;
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
 * Throws the pass-1 codes, BATCH_CONFLICT, and whatever the store throws (Redis errors: retryable).
 */
export async function ingestBatch(options: IngestOptions): Promise<IngestResult> {
  const { manifest, manifestDigest } = await verifyBatch(options.open(), options.caller, options.verify);
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
  const onStored = async (chunk: PreparedChunk, outcomes: StoreOutcome[]): Promise<void> => {
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
  const pipeline = new StorePipeline(
    (records) => options.store.storeChunk(owner, manifest.batchId, begun.expiresAt, records),
    onStored,
    options.storesInFlight ?? 2,
  );
  const seen = new Set<string>();
  let chunk: PreparedChunk = { records: [], lines: [] };
  for await (const line of splitLines(options.open())) {
    if (line.number === 1) continue;
    let record: PreparedRecord;
    try {
      record = prepareRecord(line.bytes, owner, options.keyer);
    } catch (err) {
      rejects.add(rejectOf(err, line.number));
      continue;
    }
    if (seen.has(record.recordId)) {
      rejects.add({
        line: line.number,
        code: 'DUPLICATE_RECORD',
        recordId: record.recordId,
        message: 'the recordId occurs earlier in this batch',
      });
      continue;
    }
    seen.add(record.recordId);
    chunk.records.push(record);
    chunk.lines.push(line.number);
    if (chunk.records.length >= options.chunkRecords) {
      await pipeline.submit(chunk);
      chunk = { records: [], lines: [] };
    }
  }
  await pipeline.submit(chunk); // the last chunk, possibly empty: progress reaches its final value
  await pipeline.drain();
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
