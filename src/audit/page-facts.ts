/**
 * The per-entry work of a replay that needs no earlier entry (RFC 9162 §2.1.1 leaf hash, RFC 8785
 * canonical check, DESIGN §5 envelope), done for one page of entry texts at a time, on a worker
 * thread (page-pool.ts) while the main thread runs the order-dependent rules over the page before.
 * The answer is compact typed arrays that move between threads without copying: leaf hashes in
 * 32-byte slots, and for the common use entries only the facts the rules read (use-facts.ts),
 * their strings interned per page, plus the disclosure digest. Any other entry (consent entries,
 * entries carrying a signed object, malformed ones) is marked for the main thread to take whole.
 */
import { sha256Fast } from '../crypto/hash.js';
import { ENTRY_KINDS, MAX_ENTRY_BYTES } from '../ledger/entry.js';
import type { EntryKind, LogEntry } from '../ledger/entry.js';
import { HASH_SIZE } from '../ledger/merkle.js';
import { DIGEST_BYTES } from './digest-set.js';
import { parseEntryFast } from './fast-entry.js';
import { signedFields } from './signed-fields.js';
import { subtreesOf } from './subtrees.js';
import type { Subtrees } from './subtrees.js';
import { disclosureDigest, USE_KINDS, useFacts } from './use-facts.js';
import type { UseFacts } from './use-facts.js';

/** What the main thread does with an entry. */
export const FACT = {
  /** The source did not serve it. */
  MISSING: 0,
  /** Parse it again (parseEntryFast) and run every rule over it, or report why it does not parse. */
  WHOLE: 1,
  /** Only count it: no signed object, no rule. */
  COUNT: 2,
  /** Judge it from its facts. */
  USE: 3,
} as const;

/** String slots per use entry, in `PageFacts.ids`. */
const SLOTS = 8;
const [CONSENT, JOB, REQUESTER, PURPOSE, GROUPS, OWNER, RECORD, REF_LEAF] = [0, 1, 2, 3, 4, 5, 6, 7];

export interface PageFacts {
  readonly count: number;
  /** Leaf hash of entry i at [32i, 32i + 32) (every served entry, parsed or not). */
  readonly leaves: Uint8Array;
  /** FACT per entry. */
  readonly codes: Uint8Array;
  /** Index into ENTRY_KINDS (COUNT, USE). */
  readonly kinds: Uint8Array;
  /** The entry's `at` in milliseconds (USE). */
  readonly times: Float64Array;
  /** The cited consent entry index (USE). */
  readonly refs: Float64Array;
  /** SLOTS string ids per entry into `strings`, -1 for undefined (USE). */
  readonly ids: Int32Array;
  readonly strings: string[];
  /** Disclosure digest of entry i at [12i, 12i + 12) (USE disclosures). */
  readonly digests: Uint8Array;
  /** The page's leaves as aligned perfect subtrees (subtrees.ts); absent when one is MISSING. */
  readonly subtrees: Subtrees | undefined;
}

const KIND_CODES: ReadonlyMap<string, number> = new Map(ENTRY_KINDS.map((k, i) => [k, i]));

/** 0x00 ‖ UTF-8(text) is written here: any text of at most MAX_ENTRY_BYTES characters fits. */
const scratch = Buffer.allocUnsafe(1 + 3 * MAX_ENTRY_BYTES);
scratch[0] = 0x00;

/** RFC 9162 §2.1.1 SHA-256(0x00 ‖ UTF-8(text)) (as replay.ts leafHashOfText), into `out` at `at`. */
function writeLeafHash(text: string, out: Uint8Array, at: number): void {
  let input: Buffer;
  if (text.length <= MAX_ENTRY_BYTES) {
    input = scratch.subarray(0, 1 + scratch.write(text, 1, 'utf8'));
  } else {
    input = Buffer.allocUnsafe(1 + Buffer.byteLength(text, 'utf8'));
    input[0] = 0x00;
    input.write(text, 1, 'utf8');
  }
  out.set(sha256Fast(input), at);
}

/** The id of `s` in `strings` (appended on first sight), -1 for undefined. */
function internInto(strings: string[], ids: Map<string, number>, s: string | undefined): number {
  if (s === undefined) return -1;
  let id = ids.get(s);
  if (id === undefined) {
    id = strings.push(s) - 1;
    ids.set(s, id);
  }
  return id;
}

/**
 * The facts of the page of entry texts (undefined: not served) starting at index `start`. Never
 * throws for what a text holds.
 */
export function pageFacts(start: number, texts: ReadonlyArray<string | undefined>): PageFacts {
  const count = texts.length;
  const facts: PageFacts & { strings: string[]; subtrees: Subtrees | undefined } = {
    count,
    leaves: new Uint8Array(count * HASH_SIZE),
    codes: new Uint8Array(count),
    kinds: new Uint8Array(count),
    times: new Float64Array(count),
    refs: new Float64Array(count),
    ids: new Int32Array(count * SLOTS).fill(-1),
    strings: [],
    digests: new Uint8Array(count * DIGEST_BYTES),
    subtrees: undefined,
  };
  const interned = new Map<string, number>();
  const intern = internInto.bind(undefined, facts.strings, interned);
  for (let i = 0; i < count; i++) {
    const text = texts[i];
    if (text === undefined) continue; // FACT.MISSING
    writeLeafHash(text, facts.leaves, i * HASH_SIZE);
    let entry: LogEntry;
    try {
      entry = parseEntryFast(text);
    } catch {
      facts.codes[i] = FACT.WHOLE;
      continue;
    }
    facts.kinds[i] = KIND_CODES.get(entry.kind) ?? 0;
    if (entry.kind.startsWith('consent.') || signedFields(entry).length > 0) {
      facts.codes[i] = FACT.WHOLE;
      continue;
    }
    if (!USE_KINDS.has(entry.kind)) {
      facts.codes[i] = FACT.COUNT;
      continue;
    }
    const use = useFacts(entry);
    if (use === undefined || typeof use.ref.index !== 'number' || typeof use.ref.leafHash !== 'string') {
      facts.codes[i] = FACT.WHOLE;
    } else {
      facts.codes[i] = FACT.USE;
      facts.times[i] = Date.parse(entry.at);
      facts.refs[i] = use.ref.index;
      const slot = i * SLOTS;
      facts.ids[slot + CONSENT] = intern(use.consentId);
      facts.ids[slot + JOB] = intern(use.jobId);
      facts.ids[slot + REQUESTER] = intern(use.requester);
      facts.ids[slot + PURPOSE] = intern(use.purpose);
      facts.ids[slot + GROUPS] = intern(JSON.stringify(use.groups));
      facts.ids[slot + OWNER] = intern(use.owner);
      facts.ids[slot + RECORD] = intern(use.recordId);
      facts.ids[slot + REF_LEAF] = intern(use.ref.leafHash);
      if (entry.kind === 'disclosure') facts.digests.set(disclosureDigest(use), i * DIGEST_BYTES);
    }
  }
  if (texts.every((t) => t !== undefined)) facts.subtrees = subtreesOf(start, facts.leaves, count);
  return facts;
}

/** The kind of entry `i` (COUNT, USE). */
export function kindOf(facts: PageFacts, i: number): EntryKind {
  return ENTRY_KINDS[facts.kinds[i] ?? 0] ?? ENTRY_KINDS[0];
}

/**
 * Reads the use facts of entry `i` (USE) into `into`, which is returned; `groups` caches the
 * parsed group lists of this page by string id.
 */
export function readUseFacts(
  facts: PageFacts,
  i: number,
  into: UseFacts,
  groups: Map<number, string[]>,
): UseFacts {
  const slot = i * SLOTS;
  const groupsId = facts.ids[slot + GROUPS] ?? -1;
  let list = groups.get(groupsId);
  if (list === undefined) {
    list = JSON.parse(stringAt(facts, slot + GROUPS) ?? '[]') as string[];
    groups.set(groupsId, list);
  }
  into.consentId = stringAt(facts, slot + CONSENT) ?? '';
  into.jobId = stringAt(facts, slot + JOB) ?? '';
  into.requester = stringAt(facts, slot + REQUESTER) ?? '';
  into.purpose = stringAt(facts, slot + PURPOSE) ?? '';
  into.groups = list;
  into.owner = stringAt(facts, slot + OWNER);
  into.recordId = stringAt(facts, slot + RECORD);
  into.ref.index = facts.refs[i];
  into.ref.leafHash = stringAt(facts, slot + REF_LEAF);
  return into;
}

function stringAt(facts: PageFacts, slot: number): string | undefined {
  return facts.strings[facts.ids[slot] ?? -1];
}
