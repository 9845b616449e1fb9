/** Builds the per-thread row context (mapping, columns, tokenizer) from plain, cloneable params. */
import { HmacTokenizer } from '../tokenize/hmac-tokenizer.js';
import type { Mapping } from './mapping.js';
import type { RowContext } from './row.js';

/** Everything a worker thread needs; structured-cloneable, so it can cross a thread boundary. */
export interface RowContextParams {
  mapping: Mapping;
  columns: [string, number][];
  owner: string;
  consortiumId: string;
  epoch: number;
  tokenSecret: Uint8Array;
}

export function createRowContext(params: RowContextParams): RowContext {
  const tokenizer = new HmacTokenizer({
    consortiumSecret: params.tokenSecret,
    consortiumId: params.consortiumId,
    epoch: params.epoch,
  });
  return {
    mapping: params.mapping,
    columns: new Map(params.columns),
    owner: params.owner,
    tokenize: (type, normalized) => tokenizer.tokenize(type, normalized),
  };
}
