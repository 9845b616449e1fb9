/**
 * What the audit needs from a log (DESIGN §5 API): the latest checkpoint note, entries by range
 * and RFC 9162 §2.1.4 consistency proofs. The HTTP client (log-client.ts) implements it over mTLS;
 * tests and the benchmark implement it in memory. Nothing a source returns is trusted.
 */
export interface LogSource {
  /** The latest signed checkpoint note text. */
  checkpoint(): Promise<string>;
  /** Canonical entry texts of [start, end); a page may come back short or fail. */
  entries(start: number, end: number): Promise<string[]>;
  /** PROOF(from, D[to]) hashes, 1 ≤ from ≤ to. */
  consistency(from: number, to: number): Promise<Uint8Array[]>;
}

/** Longest range one entries request asks for (the broker serves at most 1000). */
export const PAGE = 1000;

/**
 * Fetches [start, end) and returns one slot per index: the text, or undefined when the source
 * would not serve it. A failing or short page is split in halves until single indexes remain, so
 * one missing entry costs O(log PAGE) requests and is named exactly.
 */
export async function fetchRange(
  source: LogSource,
  start: number,
  end: number,
): Promise<Array<string | undefined>> {
  let texts: string[] | undefined;
  try {
    texts = await source.entries(start, end);
  } catch {
    texts = undefined;
  }
  if (texts !== undefined && texts.length === end - start && texts.every((t) => typeof t === 'string')) {
    return texts;
  }
  if (end - start === 1) return [undefined];
  const mid = start + Math.floor((end - start) / 2);
  const [left, right] = await Promise.all([fetchRange(source, start, mid), fetchRange(source, mid, end)]);
  return [...left, ...right];
}
