/** Typed access to test/vectors/ledger/*.json. */
import { readFileSync } from 'node:fs';
import { fromHex } from '../../src/util/bytes.js';

export function loadVectors<T>(name: string): T {
  return JSON.parse(readFileSync(new URL(`../vectors/ledger/${name}`, import.meta.url), 'utf8')) as T;
}

/** Hex to bytes, tolerating the odd-length or empty strings that invalid vectors use on purpose. */
export const hex = (text: string): Uint8Array => (text === '' ? new Uint8Array(0) : fromHex(text));

export interface InclusionVector {
  description?: string;
  index: number;
  size: number;
  leafHash: string;
  proof: string[];
  root: string;
}

export interface ConsistencyVector {
  description?: string;
  from: number;
  to: number;
  proof: string[];
  fromRoot: string;
  toRoot: string;
}

export interface MerkleVectors {
  leaves: string[];
  roots: string[];
  valid: { inclusion: InclusionVector[]; consistency: ConsistencyVector[] };
  invalid: { inclusion: InclusionVector[]; consistency: ConsistencyVector[] };
}
