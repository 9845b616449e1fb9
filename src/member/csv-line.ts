/**
 * One CSV line → its fields (RFC 4180 §2, one record per physical line). Members' exports of
 * identifiers and amounts never need a line break inside a field, and parsing line by line means
 * a broken row (an unclosed quote, say) is rejected alone instead of swallowing the rows after it.
 * Quoted fields may hold commas and doubled quotes; a quote inside an unquoted field is literal.
 */
import { createInterface } from 'node:readline';
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

/** Yields each non-blank line of a UTF-8 CSV file (BOM stripped) with its line number. */
export async function* readCsvRows(input: Readable): AsyncGenerator<CsvRow> {
  const lines = createInterface({ input, crlfDelay: Infinity });
  let row = 0;
  for await (const raw of lines) {
    row++;
    const line = row === 1 ? raw.replace(/^\ufeff/, '') : raw;
    if (line.trim() !== '') yield { row, values: parseCsvLine(line) };
  }
}
