/**
 * Pass 2 of ingest works on groups of consecutive record lines: a group is validated and re-keyed
 * as a whole (on the calling thread or on a prepare thread, prepare-pool.ts) and becomes one
 * atomic store. A group travels as one buffer, its lines joined by "\n", which a thread can take
 * over without a copy.
 */
import type { IndexKeyer } from '../tokenize/index-key.js';
import type { PreparedRecord } from '../store/record-store.js';
import type { Line } from './lines.js';
import { prepareRecord, rejectOf } from './record.js';
import type { Reject } from './record.js';

/** `count` consecutive record lines joined by "\n"; the first is line `firstLine` of the batch. */
export interface LineGroup {
  bytes: Uint8Array;
  firstLine: number;
  count: number;
}

/** What a group became: its valid records (with their line numbers) and its rejects. */
export interface PreparedLines {
  records: PreparedRecord[];
  lines: number[];
  rejects: Reject[];
}

const NEWLINE = Buffer.from('\n');

/** Groups the record lines (every line after line 1, the manifest) `size` at a time. */
export async function* groupLines(lines: AsyncIterable<Line>, size: number): AsyncGenerator<LineGroup> {
  let parts: Buffer[] = [];
  let firstLine = 0;
  let count = 0;
  for await (const line of lines) {
    if (line.number === 1) continue;
    if (count === 0) firstLine = line.number;
    else parts.push(NEWLINE);
    parts.push(line.bytes);
    count++;
    if (count >= size) {
      yield { bytes: Buffer.concat(parts), firstLine, count };
      parts = [];
      count = 0;
    }
  }
  if (count > 0) yield { bytes: Buffer.concat(parts), firstLine, count };
}

/**
 * Validates and re-keys every line of `group` for `owner`. A bad line becomes a reject; anything
 * that is not a BrokerError (a bug, not bad input) is thrown.
 */
export function prepareLines(group: LineGroup, owner: string, keyer: IndexKeyer): PreparedLines {
  const bytes = Buffer.from(group.bytes.buffer, group.bytes.byteOffset, group.bytes.byteLength);
  const out: PreparedLines = { records: [], lines: [], rejects: [] };
  let start = 0;
  for (let i = 0; i < group.count; i++) {
    const nl = bytes.indexOf(10, start);
    const end = nl === -1 ? bytes.length : nl;
    const line = group.firstLine + i;
    try {
      out.records.push(prepareRecord(bytes.subarray(start, end), owner, keyer));
      out.lines.push(line);
    } catch (err) {
      out.rejects.push(rejectOf(err, line));
    }
    start = end + 1;
  }
  return out;
}
