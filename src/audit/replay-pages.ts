/**
 * The replay loop of `audit verify` (DESIGN §5 "replays everything", RFC 9162 §2.1): new entries
 * are fetched a page at a time (dense indexes: a page the source will not serve whole is split
 * until the missing index is named), each page's per-entry work is done on the page pool
 * (page-facts.ts) several pages ahead, and the main thread judges the pages strictly in index
 * order, the rules being order-dependent, collecting the leaf hashes to fold.
 */
import { setImmediate } from 'node:timers/promises';
import { isBrokerError } from '../errors.js';
import type { LogEntry } from '../ledger/entry.js';
import { HASH_SIZE } from '../ledger/merkle.js';
import { toHex } from '../util/bytes.js';
import { DIGEST_BYTES } from './digest-set.js';
import { parseEntryFast } from './fast-entry.js';
import type { Finding } from './findings.js';
import { FACT, kindOf, readUseFacts } from './page-facts.js';
import type { PageFacts } from './page-facts.js';
import type { PagePool } from './page-pool.js';
import type { RuleEngine } from './rules.js';
import { PAGE, fetchRange } from './source.js';
import type { LogSource } from './source.js';
import type { UseFacts } from './use-facts.js';

export interface Page {
  readonly start: number;
  readonly texts: ReadonlyArray<string | undefined>;
  readonly facts: PageFacts;
}

/**
 * The pages of [from, to) in order, each fetched and prepared up to `ahead` pages before it is
 * yielded. Throws when the pool fails (never for what the source serves: fetchRange never rejects).
 */
export async function* replayPages(
  source: LogSource,
  from: number,
  to: number,
  pool: PagePool,
  ahead: number,
): AsyncGenerator<Page> {
  const inFlight: Array<Promise<Page>> = [];
  let next = from;
  const request = (): void => {
    const start = next;
    next = Math.min(to, start + PAGE);
    const page = fetchRange(source, start, next).then(async (texts) => ({
      start,
      texts,
      facts: await pool.facts(start, texts),
    }));
    // Awaited in order below; this only keeps a later page's failure from being "unhandled" first.
    page.catch(() => undefined);
    inFlight.push(page);
  };
  while (next < to || inFlight.length > 0) {
    while (next < to && inFlight.length < ahead) request();
    const page = inFlight.shift();
    // A turn of the event loop per page: a source that answers at once (memory, cache) would
    // otherwise keep it on microtasks, and no worker's answer or "ready" would be read.
    await setImmediate();
    if (page !== undefined) yield await page;
  }
}

/**
 * Judges a page's entries in order with `rules`; entry-level findings (not served, not parseable)
 * go to `findings`. Returns the first index of the page the source did not serve, if any.
 */
export function judgePage(page: Page, rules: RuleEngine, findings: Finding[]): number | undefined {
  const { facts, start } = page;
  let gap: number | undefined;
  const use: UseFacts = {
    consentId: '',
    jobId: '',
    requester: '',
    ref: { index: undefined, leafHash: undefined },
    purpose: '',
    groups: [],
    owner: undefined,
    recordId: undefined,
  };
  const groups = new Map<number, string[]>();
  for (let i = 0; i < facts.count; i++) {
    const index = start + i;
    const code = facts.codes[i];
    if (code === FACT.MISSING) {
      findings.push({ index, rule: 'log.dense-index', message: `the log does not serve entry ${index}` });
      gap ??= index;
      continue;
    }
    if (code === FACT.COUNT) {
      rules.count(kindOf(facts, i));
    } else if (code === FACT.USE) {
      const kind = kindOf(facts, i);
      const at = new Date(facts.times[i] ?? Number.NaN);
      const digest = kind === 'disclosure' ? facts.digests : undefined;
      rules.checkUse(index, kind, at, readUseFacts(facts, i, use, groups), digest, i * DIGEST_BYTES);
    } else {
      let entry: LogEntry;
      try {
        entry = parseEntryFast(page.texts[i] ?? '');
      } catch (err) {
        findings.push({
          index,
          rule: 'entry.format',
          message: isBrokerError(err) ? err.message : String(err),
        });
        continue;
      }
      rules.check(index, entry, toHex(facts.leaves.subarray(i * HASH_SIZE, (i + 1) * HASH_SIZE)));
    }
  }
  return gap;
}
