/**
 * Splits a byte stream into "\n"-terminated lines without holding more than one line (plus one
 * chunk) in memory. Lines are returned as bytes; the caller decides how to decode them.
 */
import { BrokerError } from '../errors.js';

export const MAX_LINE_BYTES = 4 * 1024 * 1024;

export interface Line {
  /** 1-based line number in the file. */
  number: number;
  /** The line without its "\n". */
  bytes: Buffer;
}

/** Yields every line; a last line without "\n" is yielded too. Throws LINE_TOO_LONG past 4 MiB. */
export async function* splitLines(chunks: AsyncIterable<Buffer>): AsyncGenerator<Line> {
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let number = 0;
  for await (const chunk of chunks) {
    let start = 0;
    for (let nl = chunk.indexOf(10, start); nl !== -1; nl = chunk.indexOf(10, start)) {
      const piece = chunk.subarray(start, nl);
      const bytes = pending.length === 0 ? piece : Buffer.concat([...pending, piece]);
      pending = [];
      pendingBytes = 0;
      number++;
      yield { number, bytes };
      start = nl + 1;
    }
    if (start < chunk.length) {
      pending.push(chunk.subarray(start));
      pendingBytes += chunk.length - start;
      if (pendingBytes > MAX_LINE_BYTES) {
        throw new BrokerError('LINE_TOO_LONG', `line ${number + 1} is longer than ${MAX_LINE_BYTES} bytes`, {
          details: { line: number + 1 },
        });
      }
    }
  }
  if (pending.length > 0) yield { number: number + 1, bytes: Buffer.concat(pending) };
}
