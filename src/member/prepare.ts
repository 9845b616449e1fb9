/**
 * `member prepare`: CSV export → signed batch (DESIGN §2, §3). Streams the CSV, prepares rows on
 * worker threads, writes record lines while hashing them, then writes the batch as a signed
 * manifest line followed by the records. Every rejected row is reported with its row number
 * (the header is row 1), field, code and message; valid rows are kept.
 */
import { createReadStream, createWriteStream, type WriteStream } from 'node:fs';
import { rename, rm, stat } from 'node:fs/promises';
import { once } from 'node:events';
import { pipeline } from 'node:stream/promises';
import { streamingSha256 } from '../crypto/hash.js';
import { randomId } from '../crypto/random.js';
import { BrokerError } from '../errors.js';
import { SCHEMA } from '../normalize/index.js';
import type { RowContextParams } from './context.js';
import { resolveColumns, type Mapping } from './mapping.js';
import { inlineProcessor, threadedProcessor, type RowProcessor } from './prepare-pool.js';
import type { RowIssue, RowResult } from './row.js';
import { readCsvRows } from './csv-line.js';
import { ErrorsCsv } from './errors-csv.js';

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

export interface PrepareOptions {
  member: string;
  input: string;
  output: string;
  errors?: string;
  mapping: Mapping;
  consortiumId: string;
  epoch: number;
  tokenSecret: Uint8Array;
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

interface Chunk {
  /** Row numbers (file line numbers), parallel to `values`. */
  rows: number[];
  values: string[][];
  /** Rows already rejected before preparation (bad CSV, duplicates, column count), by index. */
  early: Map<number, RowIssue>;
}

function emptyChunk(): Chunk {
  return { rows: [], values: [], early: new Map() };
}

class BatchWriter {
  readonly digest = streamingSha256();
  accepted = 0;
  rejected = 0;
  tokens = 0;
  readonly byCode: Record<string, number> = {};

  constructor(
    private readonly records: WriteStream,
    private readonly errors: ErrorsCsv | null,
  ) {}

  async reject(row: number, recordId: string | undefined, issues: RowIssue[]): Promise<void> {
    this.rejected++;
    // Rows per code: a row with two problems of one code counts once for it.
    for (const code of new Set(issues.map((i) => i.code))) this.byCode[code] = (this.byCode[code] ?? 0) + 1;
    await this.errors?.write(row, recordId, issues);
  }

  async accept(line: string, tokens: number): Promise<void> {
    const text = `${line}\n`;
    this.digest.update(text);
    this.accepted++;
    this.tokens += tokens;
    if (!this.records.write(text)) await once(this.records, 'drain');
  }

  async write(chunk: Chunk, results: RowResult[]): Promise<void> {
    for (let i = 0; i < chunk.rows.length; i++) {
      const row = chunk.rows[i] ?? 0;
      const early = chunk.early.get(i);
      const result = results[i];
      if (early) await this.reject(row, undefined, [early]);
      else if (result?.ok) await this.accept(result.line, result.tokens);
      else if (result) await this.reject(row, result.recordId, result.issues);
    }
  }
}

async function finishStream(stream: WriteStream): Promise<void> {
  stream.end();
  await once(stream, 'finish');
}

/**
 * Prepares a batch file from a CSV export.
 * @throws BrokerError CSV_EMPTY, CSV_MISSING_COLUMNS, CSV_DUPLICATE_COLUMN, INPUT_MISSING (file-level
 *   problems that stop the whole run; row-level problems are reported, never thrown)
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
  const threads = opts.threads ?? 1;
  const chunkSize = opts.chunkSize ?? 500;
  const recordsPath = `${opts.output}.records.tmp`;
  const recordsOut = createWriteStream(recordsPath);
  const errors = opts.errors ? new ErrorsCsv(opts.errors) : null;
  const writer = new BatchWriter(recordsOut, errors);
  const input = createReadStream(opts.input);
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
      consortiumId: opts.consortiumId,
      epoch: opts.epoch,
      tokenSecret: opts.tokenSecret,
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
    tokenizer: 'hmac',
    epoch: opts.epoch,
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
    epoch: opts.epoch,
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
