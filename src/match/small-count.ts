/**
 * The small-count rule of aggregate outputs (DESIGN §6 `screen`, purpose registry
 * `smallCountThreshold`): a count below k is reported as the string "<k", so no single answer
 * reveals that exactly one other lender (or one loan) is there. Zero is below k too: telling 0
 * from 1 would reveal the one lender. Pure.
 */

export type ReportedCount = number | `<${number}`;

/** `count` as reported under threshold `k` (k ≥ 1). Throws RangeError for a bad count or k. */
export function reportCount(count: number, k: number): ReportedCount {
  if (!Number.isSafeInteger(count) || count < 0) throw new RangeError('count must be a natural number');
  if (!Number.isSafeInteger(k) || k < 1) throw new RangeError('k must be a positive integer');
  return count < k ? `<${k}` : count;
}
