/**
 * Builds the per-thread row context (mapping, columns, tokenizer) from plain, cloneable params
 * (DESIGN §2). hmac mode hands each thread the consortium secret, and the thread derives its own
 * HmacTokenizer (the benchmarked hot path); oprf mode hands it the token table of the first pass
 * (token-table.ts), so tokenizing becomes a lookup. Either way rows go through one prepareRow.
 */
import { HmacTokenizer } from '../tokenize/hmac-tokenizer.js';
import type { Mapping } from './mapping.js';
import type { RowContext } from './row.js';
import { lookupToken, type TokenTable } from './token-table.js';

/** hmac mode: what each thread derives its tokenizer from. */
export interface HmacRowTokens {
  kind: 'hmac';
  consortiumId: string;
  epoch: number;
  tokenSecret: Uint8Array;
}

/** Any mode: the pairs of every identifier of the CSV, computed before the row pass. */
export interface TableRowTokens {
  kind: 'table';
  table: TokenTable;
}

/** Everything a worker thread needs; structured-cloneable, so it can cross a thread boundary. */
export interface RowContextParams {
  mapping: Mapping;
  columns: [string, number][];
  owner: string;
  tokens: HmacRowTokens | TableRowTokens;
}

function tokenizeOf(tokens: RowContextParams['tokens']): RowContext['tokenize'] {
  if (tokens.kind === 'table') {
    const { table } = tokens;
    return (type, normalized) => lookupToken(table, type, normalized);
  }
  const tokenizer = new HmacTokenizer({
    consortiumSecret: tokens.tokenSecret,
    consortiumId: tokens.consortiumId,
    epoch: tokens.epoch,
  });
  return (type, normalized) => tokenizer.tokenize(type, normalized);
}

export function createRowContext(params: RowContextParams): RowContext {
  return {
    mapping: params.mapping,
    columns: new Map(params.columns),
    owner: params.owner,
    tokenize: tokenizeOf(params.tokens),
  };
}
