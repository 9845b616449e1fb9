/**
 * One CSV line → its fields (RFC 4180 §2, one record per physical line). Members' exports of
 * identifiers and amounts never need a line break inside a field, and parsing line by line means
 * a broken row (an unclosed quote, say) is rejected alone instead of swallowing the rows after it.
 * Quoted fields may hold commas and doubled quotes; a quote inside an unquoted field is literal.
 */
import { StringDecoder } from 'node:string_decoder';
import type { Readable } from 'node:stream';

/** Returns the fields of `line`, or null when a quoted field is not closed properly. */
export function parseCsvLine(line: string): string[] | null {
  if (!line.includes('"')) return line.split(',');
  const fields: string[] = [];
  let i = 0;
  for (;;) {
    if (line[i] === '"') {
      let value = '';
      let j = i + 1;
      for (;;) {
        const q = line.indexOf('"', j);
        if (q < 0) return null;
        value += line.slice(j, q);
        if (line[q + 1] === '"') {
          value += '"';
          j = q + 2;
          continue;
        }
        i = q + 1;
        break;
      }
      fields.push(value);
      if (i === line.length) return fields;
      if (line[i] !== ',') return null;
      i++;
    } else {
      const comma = line.indexOf(',', i);
      if (comma < 0) {
        fields.push(line.slice(i));
        return fields;
      }
      fields.push(line.slice(i, comma));
      i = comma + 1;
    }
  }
}

export interface CsvRow {
  /** Physical line number: the header is row 1 when it is the first line. */
  row: number;
  /** The fields, or null when the line is not valid CSV. */
  values: string[] | null;
}

/**
 * Yields each non-blank line of a UTF-8 CSV file (BOM stripped) with its line number. Lines end at
 * LF, with an optional CR before it. The file is split in large chunks rather than through
 * readline, whose per-line cost showed in profiles of `member prepare`.
 */
export async function* readCsvRows(input: Readable): AsyncGenerator<CsvRow> {
  const decoder = new StringDecoder('utf8');
  let rest = '';
  let row = 0;
  const emit = function* (line: string): Generator<CsvRow> {
    row++;
    const text = (row === 1 ? line.replace(/^\ufeff/, '') : line).replace(/\r$/, '');
    if (text.trim() !== '') yield { row, values: parseCsvLine(text) };
  };
  for await (const chunk of input as AsyncIterable<Buffer>) {
    const text = rest + decoder.write(chunk);
    let start = 0;
    for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', start)) {
      yield* emit(text.slice(start, nl));
      start = nl + 1;
    }
    rest = text.slice(start);
  }
  rest += decoder.end();
  if (rest !== '') yield* emit(rest);
}
