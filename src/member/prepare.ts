/**
 * `member prepare`: CSV export → signed batch (DESIGN §2, §3). Streams the CSV, prepares rows on
 * worker threads, writes record lines while hashing them, then writes the batch as a signed
 * manifest line followed by the records. Every rejected row is reported with its row number
 * (the header is row 1), field, code and message; valid rows are kept. hmac mode tokenizes on the
 * row threads; with a Tokenizer (oprf mode, async and batched) a first pass builds a token table
 * that the row pass looks identifiers up in (token-table.ts).
 */
import { createReadStream, createWriteStream, type WriteStream } from 'node:fs';
import { rename, rm, stat } from 'node:fs/promises';
import { once } from 'node:events';
import { pipeline } from 'node:stream/promises';
import { randomId } from '../crypto/random.js';
import { BrokerError } from '../errors.js';
import { SCHEMA } from '../normalize/index.js';
import type { Tokenizer } from '../tokenize/tokenizer.js';
import type { RowContextParams } from './context.js';
import { resolveColumns, type Mapping } from './mapping.js';
import { inlineProcessor, threadedProcessor, type RowProcessor } from './prepare-pool.js';
import type { RowIssue, RowResult } from './row.js';
import { readCsvRows } from './csv-line.js';
import { ErrorsCsv } from './errors-csv.js';
import { BatchWriter, emptyChunk, type Chunk } from './batch-writer.js';
import { collectIdentifiers, tokenTableOf } from './token-table.js';

export interface BatchManifestBody {
  batchId: string;
  member: string;
  schema: string;
  tokenizer: 'hmac' | 'oprf';
  epoch: number;
  createdAt: string;
  records: number;
  recordsDigest: string;
}

/** hmac mode: the unwrapped consortium secret; each row thread derives its own tokenizer. */
export interface HmacSecretSource {
  consortiumId: string;
  epoch: number;
  tokenSecret: Uint8Array;
}

/** Any mode (oprf in particular): identifiers are tokenized in batches before the row pass. */
export interface TokenizerSource {
  tokenizer: Tokenizer;
  /** Identifiers tokenized so far, of the CSV's distinct identifiers. */
  onTokenizing?: (done: number, total: number) => void;
}

export type PrepareOptions = PrepareBaseOptions & (HmacSecretSource | TokenizerSource);

export interface PrepareBaseOptions {
  member: string;
  input: string;
  output: string;
  errors?: string;
  mapping: Mapping;
  /** Signs the manifest body with the member's key; returns the signed object to write as line 1. */
  signManifest: (body: BatchManifestBody) => unknown;
  threads?: number;
  chunkSize?: number;
  onProgress?: (bytesRead: number, totalBytes: number) => void;
}

export interface PrepareSummary {
  batchId: string;
  member: string;
  schema: string;
  tokenizer: 'hmac' | 'oprf';
  epoch: number;
  input: string;
  output: string;
  errorsFile: string | null;
  rows: number;
  accepted: number;
  rejected: number;
  tokens: number;
  /** Rejected rows per code (a row with several codes counts under each). */
  rejectsByCode: Record<string, number>;
  ignoredColumns: string[];
  threads: number;
  elapsedMs: number;
  recordsPerSecond: number;
}

interface RowTokens {
  mode: 'hmac' | 'oprf';
  epoch: number;
  tokens: RowContextParams['tokens'];
}

async function rowTokensOf(opts: PrepareOptions): Promise<RowTokens> {
  if (!('tokenizer' in opts)) {
    const { consortiumId, epoch, tokenSecret } = opts;
    return { mode: 'hmac', epoch, tokens: { kind: 'hmac', consortiumId, epoch, tokenSecret } };
  }
  const items = await collectIdentifiers(opts.input, opts.mapping);
  const table = await tokenTableOf(items, opts.tokenizer, opts.onTokenizing);
  return { mode: opts.tokenizer.mode, epoch: opts.tokenizer.epoch, tokens: { kind: 'table', table } };
}

async function finishStream(stream: WriteStream): Promise<void> {
  stream.end();
  await once(stream, 'finish');
}

/**
 * Prepares a batch file from a CSV export.
 * @throws BrokerError CSV_EMPTY, CSV_MISSING_COLUMNS, CSV_DUPLICATE_COLUMN, INPUT_MISSING (file-level
 *   problems that stop the whole run; row-level problems are reported, never thrown); with a
 *   Tokenizer also what its tokenizeBatch throws (TA_*, OPRF_*) and TOKEN_TABLE_MISS
 */
export async function prepareBatch(opts: PrepareOptions): Promise<PrepareSummary> {
  const started = performance.now();
  const totalBytes = await stat(opts.input).then(
    (s) => s.size,
    (cause: unknown) => {
      throw new BrokerError('INPUT_MISSING', `cannot read ${opts.input}`, {
        cause,
        hint: 'check the --in path',
      });
    },
  );
  const rowTokens = await rowTokensOf(opts);
  const threads = opts.threads ?? 1;
  const chunkSize = opts.chunkSize ?? 500;
  const recordsPath = `${opts.output}.records.tmp`;
  const recordsOut = createWriteStream(recordsPath);
  const errors = opts.errors ? new ErrorsCsv(opts.errors) : null;
  const writer = new BatchWriter(recordsOut, errors);
  const input = createReadStream(opts.input, { highWaterMark: 1 << 20 });
  let processor: RowProcessor | null = null;
  let header: string[] | null = null;
  let ignoredColumns: string[] = [];
  let recordIdAt = 0;
  let dataRows = 0;
  const seen = new Set<string>();
  const inFlight: { chunk: Chunk; results: Promise<RowResult[]> }[] = [];
  let chunk = emptyChunk();

  const flushOldest = async (): Promise<void> => {
    const oldest = inFlight.shift();
    if (oldest) await writer.write(oldest.chunk, await oldest.results);
  };
  const dispatch = async (): Promise<void> => {
    if (chunk.rows.length === 0 || processor === null) return;
    // Rows already rejected are not sent to a thread.
    const values = chunk.values.map((v, i) => (chunk.early.has(i) ? [] : v));
    inFlight.push({ chunk, results: processor.run(values) });
    chunk = emptyChunk();
    if (inFlight.length > threads * 4) await flushOldest();
    opts.onProgress?.(input.bytesRead, totalBytes);
  };
  /** The file-level check of the header, then the per-thread context. */
  const start = (values: string[]): RowProcessor => {
    const resolved = resolveColumns(opts.mapping, values);
    ignoredColumns = resolved.ignored;
    recordIdAt = resolved.index.get(opts.mapping.recordId) ?? 0;
    const params: RowContextParams = {
      mapping: opts.mapping,
      columns: [...resolved.index],
      owner: opts.member,
      tokens: rowTokens.tokens,
    };
    return threads > 1 ? threadedProcessor(params, threads) : inlineProcessor(params);
  };
  /** Rejections that need the whole file's view (duplicates) or no parsing (bad CSV). */
  const earlyIssue = (values: string[] | null, columns: number): RowIssue | undefined => {
    if (values === null)
      return {
        field: '(row)',
        code: 'CSV_MALFORMED',
        message: 'the row is not valid CSV (check its quotes)',
      };
    if (values.length !== columns) {
      return {
        field: '(row)',
        code: 'ROW_COLUMNS',
        message: `the row has ${values.length} fields, the header ${columns}`,
      };
    }
    const recordId = (values[recordIdAt] ?? '').trim();
    if (recordId === '') return undefined;
    if (seen.has(recordId)) {
      return {
        field: opts.mapping.recordId,
        code: 'DUPLICATE_RECORD_ID',
        message: 'an earlier row has the same record id',
      };
    }
    seen.add(recordId);
    return undefined;
  };

  try {
    for await (const { row, values } of readCsvRows(input)) {
      if (header === null) {
        if (values === null)
          throw new BrokerError('CSV_MALFORMED', 'the header row is not valid CSV', {
            hint: 'check its quotes',
          });
        header = values;
        processor = start(values);
        continue;
      }
      dataRows++;
      const issue = earlyIssue(values, header.length);
      if (issue) chunk.early.set(chunk.rows.length, issue);
      chunk.rows.push(row);
      chunk.values.push(values ?? []);
      if (chunk.rows.length >= chunkSize) await dispatch();
    }
    if (header === null) {
      throw new BrokerError('CSV_EMPTY', `${opts.input} has no header row`, {
        hint: 'export the CSV with its header',
      });
    }
    await dispatch();
    while (inFlight.length > 0) await flushOldest();
  } catch (err) {
    await finishStream(recordsOut);
    await Promise.all([rm(recordsPath, { force: true }), errors?.abort()]);
    throw err;
  } finally {
    await processor?.close();
  }
  await finishStream(recordsOut);
  await errors?.close();

  const body: BatchManifestBody = {
    batchId: randomId(),
    member: opts.member,
    schema: SCHEMA,
    tokenizer: rowTokens.mode,
    epoch: rowTokens.epoch,
    createdAt: new Date().toISOString(),
    records: writer.accepted,
    recordsDigest: writer.digest.digestHex(),
  };
  const outTmp = `${opts.output}.tmp`;
  const out = createWriteStream(outTmp);
  out.write(`${JSON.stringify(opts.signManifest(body))}\n`);
  await pipeline(createReadStream(recordsPath), out);
  await rename(outTmp, opts.output);
  await rm(recordsPath, { force: true });
  opts.onProgress?.(totalBytes, totalBytes);

  const elapsedMs = performance.now() - started;
  return {
    batchId: body.batchId,
    member: opts.member,
    schema: SCHEMA,
    tokenizer: rowTokens.mode,
    epoch: rowTokens.epoch,
    input: opts.input,
    output: opts.output,
    errorsFile: opts.errors ?? null,
    rows: dataRows,
    accepted: writer.accepted,
    rejected: writer.rejected,
    tokens: writer.tokens,
    rejectsByCode: writer.byCode,
    ignoredColumns,
    threads,
    elapsedMs: Math.round(elapsedMs),
    recordsPerSecond: Math.round((writer.accepted + writer.rejected) / (elapsedMs / 1000)),
  };
}
