/**
 * `audit verify` as a list of named checks (sigstore style; DESIGN §5, RFC 9162 §2.1, C2SP
 * tlog-checkpoint): the checkpoint's signature under the log key; its consistency with the
 * checkpoint the auditor kept (trust on first use when it kept none); every new entry fetched,
 * indexes dense; the root recomputed from the entries; then the consent and signature rules over
 * each entry in order. Returns findings and the state to keep; the caller saves it only when clean.
 */
import { availableParallelism } from 'node:os';
import { isBrokerError } from '../errors.js';
import { verifyCheckpoint } from '../ledger/checkpoint.js';
import { fromBase64Strict, toBase64 } from '../ledger/base64.js';
import { EMPTY_ROOT, HASH_SIZE, foldFromRight } from '../ledger/merkle.js';
import type { NoteVerifier } from '../ledger/signed-note.js';
import { verifyConsistency } from '../ledger/verify.js';
import type { VerifyOptions } from '../signing/signed-object.js';
import { equalBytes } from '../util/bytes.js';
import type { Finding } from './findings.js';
import { sortFindings } from './findings.js';
import { locateFork } from './fork.js';
import { createPagePool } from './page-pool.js';
import { LeafHashes, extendTree, firstBadIndex, frontierFits, hashViews } from './replay.js';
import { judgePage, replayPages } from './replay-pages.js';
import { appendSubtrees } from './subtrees.js';
import { RuleEngine } from './rules.js';
import type { RulesState } from './rules.js';
import { PAGE } from './source.js';
import type { LogSource } from './source.js';
import { AUDIT_STATE_VERSION, cloneRules, emptyRules } from './state.js';
import type { AuditState } from './state.js';

export interface AuditOptions {
  readonly logKey: NoteVerifier;
  readonly verifyOptions: VerifyOptions;
  /**
   * Worker threads for the per-entry work (page-pool.ts); 0 runs it inline. Default: one per
   * core for runs of POOL_FROM_PAGES pages or more, inline for shorter ones.
   */
  readonly threads?: number;
  /** Told after each page: entries checked so far, entries to check. */
  readonly onProgress?: (done: number, total: number) => void;
}

export interface AuditOutcome {
  /** True when no earlier checkpoint was kept: this run trusted the log's current one. */
  readonly trustOnFirstUse: boolean;
  readonly fromSize: number;
  /** The verified checkpoint's size (undefined when its signature failed). */
  readonly toSize: number | undefined;
  readonly findings: Finding[];
  /** The state after this run, present only when `findings` is empty (only then is it kept). */
  readonly state: AuditState | undefined;
  /** What the rules reached, clean or not (for the report). */
  readonly rules: RulesState | undefined;
}

/** Runs shorter than this many pages replay inline: starting threads would cost more than it saves. */
export const POOL_FROM_PAGES = 16;

function b64(text: string): Uint8Array {
  return fromBase64Strict(text) ?? new Uint8Array(0);
}

/** Runs every check. Throws only what the source throws for the checkpoint and proofs it needs. */
export async function auditLog(
  source: LogSource,
  previous: AuditState | undefined,
  options: AuditOptions,
): Promise<AuditOutcome> {
  const fromSize = previous?.size ?? 0;
  const done = (
    findings: Finding[],
    toSize?: number,
    rules?: RulesState,
    state?: AuditState,
  ): AuditOutcome => ({
    trustOnFirstUse: previous === undefined,
    fromSize,
    toSize,
    findings: sortFindings(findings),
    state,
    rules: rules ?? previous,
  });

  // 1. The checkpoint's signature: size and root are trusted only from a verified note.
  const text = await source.checkpoint();
  let signed: { size: number; root: Uint8Array };
  try {
    const { checkpoint } = verifyCheckpoint(text, options.logKey);
    signed = { size: Number(checkpoint.size), root: checkpoint.root };
    if (!Number.isSafeInteger(signed.size)) throw new RangeError('the checkpoint size is past 2^53');
  } catch (err) {
    const why = isBrokerError(err) ? `${err.code} ${err.message}` : String(err);
    return done([
      { index: null, rule: 'checkpoint.signature', message: `the latest checkpoint does not verify: ${why}` },
    ]);
  }

  // 2. Consistency with the kept checkpoint (RFC 9162 §2.1.4.2).
  const base = { size: fromSize, frontier: (previous?.frontier ?? []).map(b64) };
  const baseRoot = previous ? b64(previous.root) : EMPTY_ROOT;
  if (!frontierFits(base.size, base.frontier)) {
    return done([
      { index: null, rule: 'log.consistency', message: 'the state file frontier does not fit its size' },
    ]);
  }
  const fork = await checkConsistency(source, base.size, baseRoot, signed);
  if (fork !== undefined) return done([await locateFork(source, fork, base, signed.size)], signed.size);

  // 3-5. Fetch new entries (dense), replay the tree, run the rules.
  const rules = new RuleEngine(previous ? cloneRules(previous) : emptyRules(), options.verifyOptions);
  const findings: Finding[] = [];
  const leaves = new LeafHashes();
  let tree = { size: base.size, frontier: base.frontier };
  let gap: number | undefined;
  const pages = Math.ceil((signed.size - base.size) / PAGE);
  const threads = options.threads ?? (pages >= POOL_FROM_PAGES ? availableParallelism() : 0);
  const pool = createPagePool(threads);
  try {
    const stream = replayPages(source, base.size, signed.size, pool, 2 * threads + 4);
    for await (const page of stream) {
      const pageGap = judgePage(page, rules, findings);
      if (gap === undefined) {
        // Fold the page onto the frontier now: O(log n) memory, no node kept. Leaves after an
        // index the source did not serve are not replayed (their positions are unknown).
        const { leaves: packed, subtrees } = page.facts;
        const served =
          pageGap === undefined ? packed : packed.subarray(0, (pageGap - page.start) * HASH_SIZE);
        leaves.push(served);
        tree =
          subtrees === undefined
            ? extendTree(tree.size, tree.frontier, hashViews(served))
            : appendSubtrees(tree.size, tree.frontier, subtrees);
      }
      gap ??= pageGap;
      options.onProgress?.(page.start + page.facts.count - base.size, signed.size - base.size);
    }
  } finally {
    await pool.close();
  }
  findings.push(...rules.findings);

  const root = tree.size === base.size ? baseRoot : foldFromRight(tree.frontier);
  if (gap !== undefined || !equalBytes(root, signed.root)) {
    const bad = await firstBadIndex(source, base, leaves, signed);
    if (bad < base.size + leaves.count || gap === undefined) {
      findings.push({
        index: bad,
        rule: 'log.replay',
        message: `entry ${bad} does not hash to the leaf the signed tree of size ${signed.size} holds (rewritten, deleted or moved)`,
      });
    }
  }
  const reached = rules.state();
  const state: AuditState = {
    version: AUDIT_STATE_VERSION,
    checkpoint: text,
    size: tree.size,
    root: toBase64(root),
    frontier: tree.frontier.map(toBase64),
    ...reached,
  };
  return done(findings, signed.size, reached, findings.length === 0 ? state : undefined);
}

/**
 * Undefined when the signed tree extends the kept one; otherwise the reason. Throws what the
 * source throws for anything but the proof request itself.
 */
export async function checkConsistency(
  source: LogSource,
  size: number,
  root: Uint8Array,
  signed: { size: number; root: Uint8Array },
): Promise<string | undefined> {
  if (signed.size < size) return `the log went back from ${size} to ${signed.size} entries`;
  if (size === 0) return undefined;
  let proof: Uint8Array[];
  try {
    proof = signed.size === size ? [] : await source.consistency(size, signed.size);
  } catch (err) {
    return `the log gave no consistency proof from ${size} to ${signed.size}: ${String(err)}`;
  }
  return verifyConsistency(size, signed.size, proof, root, signed.root)
    ? undefined
    : `the checkpoint of size ${signed.size} does not extend the kept checkpoint of size ${size} (a fork)`;
}
