/**
 * The output side of `member prepare` (DESIGN §2, §3): chunks of CSV rows as they go to the row
 * threads, and the writer that appends accepted record lines (hashing them for the manifest's
 * recordsDigest) and reports rejected rows with their row number, in CSV order.
 */
import type { WriteStream } from 'node:fs';
import { once } from 'node:events';
import { streamingSha256 } from '../crypto/hash.js';
import type { ErrorsCsv } from './errors-csv.js';
import type { RowIssue, RowResult } from './row.js';

export interface Chunk {
  /** Row numbers (file line numbers), parallel to `values`. */
  rows: number[];
  values: string[][];
  /** Rows already rejected before preparation (bad CSV, duplicates, column count), by index. */
  early: Map<number, RowIssue>;
}

export function emptyChunk(): Chunk {
  return { rows: [], values: [], early: new Map() };
}

export class BatchWriter {
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

  /** Writes a chunk's results in CSV order: accepted lines in one write, rejects to the report. */
  async write(chunk: Chunk, results: RowResult[]): Promise<void> {
    let text = '';
    for (let i = 0; i < chunk.rows.length; i++) {
      const row = chunk.rows[i] ?? 0;
      const early = chunk.early.get(i);
      const result = results[i];
      if (early) await this.reject(row, undefined, [early]);
      else if (result?.ok) {
        text += `${result.line}\n`;
        this.accepted++;
        this.tokens += result.tokens;
      } else if (result) await this.reject(row, result.recordId, result.issues);
    }
    if (text === '') return;
    this.digest.update(text);
    if (!this.records.write(text)) await once(this.records, 'drain');
  }
}
