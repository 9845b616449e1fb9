/**
 * Ingest of one signed batch (DESIGN §6 `ingest`), as a list of named checks then an idempotent
 * store. Pass 1 verifies the manifest (signature, signer = caller, body), the record count and the
 * recordsDigest over the exact record bytes, so a tampered batch stores nothing. Pass 2 validates,
 * re-keys and stores records chunk by chunk; each chunk is atomic and a retried run rewrites nothing,
 * so a job killed mid-batch and run again ends exactly as if it had run once.
 */
import { streamingSha256 } from '../crypto/hash.js';
import { BrokerError } from '../errors.js';
import type { IndexKeyer } from '../tokenize/index-key.js';
import type { PreparedRecord } from '../store/record-store.js';
import type { BeginOutcome, StoreOutcome } from '../store/scripts.js';
import { STORE_OUTCOME } from '../store/scripts.js';
import { splitLines } from './lines.js';
import { checkManifest } from './manifest.js';
import type { BatchManifest, ManifestVerifier, Party } from './manifest.js';
import { prepareRecord, rejectOf } from './record.js';
import type { Reject } from './record.js';

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

interface VerifiedBatch {
  manifest: BatchManifest;
  manifestDigest: string;
}

/** Pass 1. Throws BAD_JSON, SIG_*, SIGNER_MISMATCH, MANIFEST_INVALID, BATCH_EMPTY, RECORDS_COUNT, RECORDS_DIGEST. */
async function verifyBatch(options: IngestOptions): Promise<VerifiedBatch> {
  let manifest: BatchManifest | undefined;
  let manifestDigest = '';
  const records = streamingSha256();
  let count = 0;
  for await (const line of splitLines(options.open())) {
    if (manifest === undefined) {
      manifest = checkManifest(line.bytes.toString('utf8'), options.caller, options.verify);
      manifestDigest = streamingSha256().update(line.bytes).digestHex();
      continue;
    }
    records.update(line.bytes).update('\n');
    count++;
  }
  if (manifest === undefined) throw new BrokerError('BATCH_EMPTY', 'the batch has no manifest line');
  if (count !== manifest.records) {
    throw new BrokerError(
      'RECORDS_COUNT',
      `the manifest declares ${manifest.records} records, the batch holds ${count}`,
    );
  }
  if (records.digestHex() !== manifest.recordsDigest) {
    throw new BrokerError('RECORDS_DIGEST', 'the record lines do not match the manifest recordsDigest', {
      hint: 'the batch was altered after it was signed; prepare and submit it again',
    });
  }
  return { manifest, manifestDigest };
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
  const { manifest, manifestDigest } = await verifyBatch(options);
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
  const seen = new Set<string>();
  let accepted = 0;
  let chunk: PreparedRecord[] = [];
  let chunkLines: number[] = [];
  const flush = async (): Promise<void> => {
    const outcomes = await options.store.storeChunk(owner, manifest.batchId, begun.expiresAt, chunk);
    outcomes.forEach((outcome, i) => {
      if (outcome !== STORE_OUTCOME.HELD_BY_OTHER_BATCH) accepted++;
      else {
        rejects.add({
          line: chunkLines[i] ?? 0,
          code: 'DUPLICATE_RECORD',
          recordId: chunk[i]?.recordId ?? '',
          message: 'the recordId is already stored by another batch; withdraw it first',
        });
      }
    });
    chunk = [];
    chunkLines = [];
    await options.onProgress?.(
      Math.floor((100 * (accepted + rejects.count)) / Math.max(1, manifest.records)),
    );
  };
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
    chunk.push(record);
    chunkLines.push(line.number);
    if (chunk.length >= options.chunkRecords) await flush();
  }
  await flush();
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
