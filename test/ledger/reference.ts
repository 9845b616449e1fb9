/**
 * A naive, recursive transcription of RFC 9162 §2.1.1 (MTH), §2.1.3.1 (PATH) and §2.1.4.1
 * (PROOF/SUBPROOF) over an array of leaf hashes: slow and obviously right, the yardstick the
 * node-store path is compared against.
 */
import { EMPTY_ROOT, nodeHash } from '../../src/ledger/merkle.js';

function split(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

export function refRoot(d: readonly Uint8Array[]): Uint8Array {
  if (d.length === 0) return EMPTY_ROOT;
  if (d.length === 1) return d[0] as Uint8Array;
  const k = split(d.length);
  return nodeHash(refRoot(d.slice(0, k)), refRoot(d.slice(k)));
}

export function refPath(m: number, d: readonly Uint8Array[]): Uint8Array[] {
  if (d.length <= 1) return [];
  const k = split(d.length);
  return m < k
    ? [...refPath(m, d.slice(0, k)), refRoot(d.slice(k))]
    : [...refPath(m - k, d.slice(k)), refRoot(d.slice(0, k))];
}

function refSubproof(m: number, d: readonly Uint8Array[], b: boolean): Uint8Array[] {
  const n = d.length;
  if (m === n) return b ? [] : [refRoot(d)];
  const k = split(n);
  return m <= k
    ? [...refSubproof(m, d.slice(0, k), b), refRoot(d.slice(k))]
    : [...refSubproof(m - k, d.slice(k), false), refRoot(d.slice(0, k))];
}

export function refConsistency(m: number, d: readonly Uint8Array[]): Uint8Array[] {
  return m === 0 || m === d.length ? [] : refSubproof(m, d, true);
}
