/**
 * Naming where a fork starts (DESIGN §5: "catch a broker that … forks history"). The auditor
 * keeps only the frontier of the tree it verified: the roots of the perfect subtrees that compose
 * it (RFC 9162 §2.1.1). When a new checkpoint does not extend it, the entries the broker now serves
 * for the old range are hashed into the same subtrees; the first subtree whose root differs holds
 * the first rewritten entry. A rollback (fewer entries than before) names the first entry lost.
 */
import { rootOfLeafHashes } from '../ledger/merkle.js';
import { entryLeafHash } from '../ledger/entry.js';
import { frontierNodeIds } from '../ledger/tree-nodes.js';
import { equalBytes } from '../util/bytes.js';
import type { Finding } from './findings.js';
import { PAGE, fetchRange } from './source.js';
import type { LogSource } from './source.js';

/** The finding for an inconsistent checkpoint, with the first index that differs. Never throws. */
export async function locateFork(
  source: LogSource,
  reason: string,
  base: { size: number; frontier: readonly Uint8Array[] },
  signedSize: number,
): Promise<Finding> {
  if (signedSize < base.size) {
    return {
      index: signedSize,
      rule: 'log.consistency',
      message: `${reason}: entries from ${signedSize} on were dropped`,
    };
  }
  const leaves: Uint8Array[] = [];
  for (let start = 0; start < base.size; start += PAGE) {
    const texts = await fetchRange(source, start, Math.min(base.size, start + PAGE));
    const missing = texts.findIndex((t) => t === undefined);
    if (missing >= 0) {
      return {
        index: start + missing,
        rule: 'log.consistency',
        message: `${reason}; entry ${start + missing} is no longer served`,
      };
    }
    for (const t of texts) leaves.push(entryLeafHash(t as string));
  }
  let index = 0;
  for (const [i, id] of frontierNodeIds(base.size).entries()) {
    const width = 2 ** id.level;
    const first = id.index * width;
    const root = rootOfLeafHashes(leaves.slice(first, first + width));
    if (!equalBytes(root, base.frontier[i] as Uint8Array)) {
      return {
        index: first,
        rule: 'log.consistency',
        message: `${reason}; the history now differs within entries [${first}, ${first + width})`,
      };
    }
    index = first + width;
  }
  return {
    index,
    rule: 'log.consistency',
    message: `${reason}; the old entries are served unchanged, the new tree does not extend them`,
  };
}
