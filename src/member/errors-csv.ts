/**
 * The rejected-rows report: CSV with header `row,record_id,field,code,message`. It never holds a
 * raw identifier (messages are ours, not the input's), and cells that a spreadsheet would run as a
 * formula (=, +, -, @, tab, CR) are prefixed with an apostrophe (OWASP CSV injection guidance).
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import { rm } from 'node:fs/promises';
import type { RowIssue } from './row.js';

function csvCell(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\n\r]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

export class ErrorsCsv {
  readonly #stream: WriteStream;

  constructor(readonly path: string) {
    this.#stream = createWriteStream(path);
    this.#stream.write('row,record_id,field,code,message\n');
  }

  async write(row: number, recordId: string | undefined, issues: RowIssue[]): Promise<void> {
    for (const issue of issues) {
      const line = [String(row), recordId ?? '', issue.field, issue.code, issue.message]
        .map(csvCell)
        .join(',');
      if (!this.#stream.write(`${line}\n`)) await once(this.#stream, 'drain');
    }
  }

  async close(): Promise<void> {
    this.#stream.end();
    await once(this.#stream, 'finish');
  }

  async abort(): Promise<void> {
    this.#stream.end();
    await once(this.#stream, 'close');
    await rm(this.path, { force: true });
  }
}
