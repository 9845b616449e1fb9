/**
 * What one consented lookup may release of one stored record (DESIGN §3 minimal disclosure, §6
 * `match`): which identifier types matched, whether they meet the purpose's minimum match (phone
 * numbers are reassigned, so a phone alone never names a borrower), and the released copy of the
 * envelope: only the allowed groups, and in each only the subject slots of identifier types the
 * requester itself supplied. Index keys never leave the broker. Pure.
 */
import { sha256 } from '../crypto/hash.js';
import { isPlainObject } from '../envelope/format.js';
import type { Envelope, SealedGroup } from '../envelope/format.js';
import { parseEnvelope } from '../envelope/parse.js';
import { BrokerError } from '../errors.js';
import type { RecordMeta } from '../ingest/record.js';
import { IDENTIFIER_TYPES, isIdentifierType } from '../normalize/schema.js';
import type { IdentifierType } from '../normalize/schema.js';
import { toHex, utf8 } from '../util/bytes.js';

/** A record as the ingest path stored it (src/ingest/record.ts). */
export interface StoredRecord {
  recordId: string;
  indexKeys: Partial<Record<IdentifierType, string>>;
  meta: RecordMeta;
  envelope: Envelope;
}

/** Index keys of the subject, one per identifier type the requester supplied. */
export type SubjectKeys = Partial<Record<IdentifierType, string>>;

function corrupt(message: string): BrokerError {
  return new BrokerError('STORE_CORRUPT', `a stored record is unreadable: ${message}`, {
    hint: 'the record store is damaged; have the owner withdraw and resubmit the record',
  });
}

/** Parses a stored record value. Throws STORE_CORRUPT. */
export function parseStoredRecord(value: string): StoredRecord {
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    throw corrupt('not JSON');
  }
  if (!isPlainObject(parsed) || typeof parsed.recordId !== 'string') throw corrupt('no recordId');
  if (!isPlainObject(parsed.indexKeys) || !isPlainObject(parsed.meta)) throw corrupt('no index keys or meta');
  const indexKeys: SubjectKeys = {};
  for (const [type, key] of Object.entries(parsed.indexKeys)) {
    if (isIdentifierType(type) && typeof key === 'string') indexKeys[type] = key;
  }
  let envelope: Envelope;
  try {
    envelope = parseEnvelope(parsed.envelope);
  } catch {
    throw corrupt('bad envelope');
  }
  return { recordId: parsed.recordId, indexKeys, meta: parsed.meta as unknown as RecordMeta, envelope };
}

/** SHA-256 (hex) of the stored record value: what a disclosure entry commits to. */
export function recordCommitment(value: string): string {
  return toHex(sha256(utf8(value)));
}

/** The identifier types on which `record` carries the subject's index key, in schema order. */
export function matchedTypes(record: StoredRecord, subject: SubjectKeys): IdentifierType[] {
  return IDENTIFIER_TYPES.filter((t) => subject[t] !== undefined && record.indexKeys[t] === subject[t]);
}

/**
 * The released copy of an envelope: the `groups` it holds, each with the slots of `supplied` types
 * only. A group left without a slot is dropped (the requester could not open it anyway).
 */
export function releasedEnvelope(
  envelope: Envelope,
  groups: readonly string[],
  supplied: readonly IdentifierType[],
): Envelope {
  const out: Record<string, SealedGroup> = {};
  for (const group of groups) {
    const sealed = Object.hasOwn(envelope.groups, group) ? envelope.groups[group] : undefined;
    if (sealed === undefined) continue;
    const slots: SealedGroup['slots'] = {};
    for (const type of supplied) {
      const slot = sealed.slots[type];
      if (slot !== undefined) slots[type] = slot;
    }
    if (Object.keys(slots).length > 0) out[group] = { ct: sealed.ct, slots };
  }
  return { ...envelope, groups: out };
}
