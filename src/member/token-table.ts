/**
 * The token table of an oprf-mode `member prepare` (DESIGN §2, oprf mode): OPRF tokenization is
 * async and batched (RFC 9497 evaluation at the token authority), while row preparation is
 * synchronous and runs on worker threads. So a first streaming pass over the CSV collects every
 * distinct normalized identifier, the tokenizer evaluates them in large batches, and the row pass
 * looks each identifier up in the resulting table. Normalization failures are ignored here: the row
 * pass normalizes again and reports them with their row number.
 *
 * The table is structured-cloneable and cheap to hand to every worker thread: seal keys are packed
 * in one SharedArrayBuffer (shared, not copied), tokens are strings, and one Map gives each
 * `type ‖ 0x00 ‖ value` its slot.
 */
import { createReadStream } from 'node:fs';
import { BrokerError } from '../errors.js';
import { normalizeIdentifier, type IdentifierType } from '../normalize/index.js';
import { SEAL_KEY_BYTES } from '../tokenize/tokenizer.js';
import type { TokenInput, TokenPair, Tokenizer } from '../tokenize/tokenizer.js';
import { readCsvRows } from './csv-line.js';
import { resolveColumns, type Mapping } from './mapping.js';

/** Identifiers per tokenizeBatch call: large enough to keep every OPRF lane busy, small enough to report progress. */
export const TABLE_BATCH = 20_000;

export interface TokenTable {
  /** `type + "\0" + normalized` → slot. */
  slots: Map<string, number>;
  /** Token of each slot (base64url). */
  tokens: string[];
  /** Seal key of slot i at bytes [32i, 32i + 32); backed by a SharedArrayBuffer. */
  sealKeys: Uint8Array;
}

/** The table key of one identifier; 0x00 never occurs in a normalized value. */
export function tableKey(type: IdentifierType, normalized: string): string {
  return `${type}\u0000${normalized}`;
}

/**
 * The distinct normalized identifiers of the CSV at `input`, in first-seen order. Rows that are not
 * valid CSV or have the wrong number of fields are skipped (the row pass rejects them).
 * @throws BrokerError CSV_MALFORMED (header), CSV_MISSING_COLUMNS, CSV_DUPLICATE_COLUMN, CSV_EMPTY
 */
export async function collectIdentifiers(input: string, mapping: Mapping): Promise<TokenInput[]> {
  const found = new Map<string, TokenInput>();
  let columns: { type: IdentifierType; at: number }[] | null = null;
  let width = 0;
  for await (const { values } of readCsvRows(createReadStream(input))) {
    if (columns === null) {
      if (values === null)
        throw new BrokerError('CSV_MALFORMED', 'the header row is not valid CSV', {
          hint: 'check its quotes',
        });
      const { index } = resolveColumns(mapping, values);
      columns = mapping.identifiers.map((spec) => ({ type: spec.type, at: index.get(spec.column) ?? 0 }));
      width = values.length;
      continue;
    }
    if (values === null || values.length !== width) continue;
    for (const { type, at } of columns) {
      let value: string | null;
      try {
        value = normalizeIdentifier(type, values[at]);
      } catch {
        continue;
      }
      if (value === null) continue;
      const key = tableKey(type, value);
      if (!found.has(key)) found.set(key, { type, value });
    }
  }
  if (columns === null) {
    throw new BrokerError('CSV_EMPTY', `${input} has no header row`, {
      hint: 'export the CSV with its header',
    });
  }
  return [...found.values()];
}

/**
 * Tokenizes `items` in batches of TABLE_BATCH and packs the pairs into a table.
 * @throws whatever `tokenizer.tokenizeBatch` throws (TOKEN_INPUT, TA_*, OPRF_BAD_PROOF, …)
 */
export async function tokenTableOf(
  items: readonly TokenInput[],
  tokenizer: Tokenizer,
  onProgress?: (done: number, total: number) => void,
): Promise<TokenTable> {
  const table: TokenTable = {
    slots: new Map(),
    tokens: new Array<string>(items.length),
    sealKeys: new Uint8Array(new SharedArrayBuffer(items.length * SEAL_KEY_BYTES)),
  };
  for (let from = 0; from < items.length; from += TABLE_BATCH) {
    const batch = items.slice(from, from + TABLE_BATCH);
    const pairs = await tokenizer.tokenizeBatch(batch);
    batch.forEach((item, i) => {
      const slot = from + i;
      const pair = pairs[i] as TokenPair;
      table.slots.set(tableKey(item.type, item.value), slot);
      table.tokens[slot] = pair.token;
      table.sealKeys.set(pair.sealKey, slot * SEAL_KEY_BYTES);
    });
    onProgress?.(Math.min(from + TABLE_BATCH, items.length), items.length);
  }
  return table;
}

/**
 * The pair of one identifier from the table (the seal key copied out of the shared buffer).
 * @throws BrokerError TOKEN_TABLE_MISS when the identifier was not seen by the first pass, which
 *   happens only when the CSV changed between the two passes
 */
export function lookupToken(table: TokenTable, type: IdentifierType, normalized: string): TokenPair {
  const slot = table.slots.get(tableKey(type, normalized));
  if (slot === undefined) {
    throw new BrokerError('TOKEN_TABLE_MISS', `a ${type} value was not tokenized by the first pass`, {
      field: type,
      hint: 'the CSV changed while it was being prepared; prepare it again from a file nobody writes to',
    });
  }
  return {
    token: table.tokens[slot] as string,
    sealKey: table.sealKeys.slice(slot * SEAL_KEY_BYTES, (slot + 1) * SEAL_KEY_BYTES),
  };
}
