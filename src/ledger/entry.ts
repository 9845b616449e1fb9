/**
 * The log entry envelope (DESIGN §5): `{ kind, at, body }`, stored and hashed as its RFC 8785
 * canonical bytes, so the leaf is RFC 9162 §2.1.1 MTH({d}) = SHA-256(0x00 ‖ JCS(entry)).
 *
 * Entries hold ids, commitments and counts, never identifiers, tokens or ciphertext: a log entry
 * can never be deleted. Callers guarantee that; this module enforces what it can check: a known
 * kind, a plain-JSON object body, a real ISO time and a bounded size.
 */
import { BrokerError } from '../errors.js';
import { canonicalJson } from '../signing/jcs.js';
import { utf8 } from '../util/bytes.js';
import { leafHash } from './merkle.js';

export const ENTRY_KINDS = [
  'member.joined',
  'policy.set',
  'submission.accepted',
  'consent.granted',
  'consent.paused',
  'consent.resumed',
  'consent.revoked',
  'query.received',
  'disclosure',
  'screen.completed',
  'key.rotated',
] as const;

export type EntryKind = (typeof ENTRY_KINDS)[number];

/** Canonical entries larger than this are refused (a log entry is a record of ids, not data). */
export const MAX_ENTRY_BYTES = 64 * 1024;

export interface LogEntry {
  readonly kind: EntryKind;
  /** ISO 8601 UTC time the entry was appended. */
  readonly at: string;
  readonly body: Record<string, unknown>;
}

const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,3})?Z$/;
const KINDS: ReadonlySet<string> = new Set(ENTRY_KINDS);

function bad(message: string, field?: string): BrokerError {
  return new BrokerError('LOG_BAD_ENTRY', message, {
    ...(field === undefined ? {} : { field }),
    hint: `an entry is { kind: one of ${ENTRY_KINDS.join(', ')}; at: ISO time; body: JSON object } of at most ${MAX_ENTRY_BYTES} bytes`,
  });
}

/** True when `kind` is one of DESIGN §5's entry kinds. */
export function isEntryKind(kind: unknown): kind is EntryKind {
  return typeof kind === 'string' && KINDS.has(kind);
}

/**
 * Checks an entry and returns its canonical JSON text. Throws LOG_BAD_ENTRY for an unknown kind, a
 * body that is not an object, a malformed time, or canonical bytes over MAX_ENTRY_BYTES;
 * SIG_MALFORMED when the body is not plain JSON.
 */
export function canonicalEntry(entry: LogEntry): string {
  if (typeof entry !== 'object' || entry === null) throw bad('the entry is not an object');
  if (!isEntryKind(entry.kind)) throw bad(`unknown entry kind ${String(entry.kind)}`, 'kind');
  if (typeof entry.at !== 'string' || !ISO_UTC.test(entry.at) || Number.isNaN(Date.parse(entry.at))) {
    throw bad('the entry time must be an ISO 8601 UTC time', 'at');
  }
  if (typeof entry.body !== 'object' || entry.body === null || Array.isArray(entry.body)) {
    throw bad('the entry body must be a JSON object', 'body');
  }
  const text = canonicalJson({ kind: entry.kind, at: entry.at, body: entry.body });
  // JCS output is UTF-8; its byte length bounds the stored value.
  if (Buffer.byteLength(text, 'utf8') > MAX_ENTRY_BYTES) {
    throw bad(`the canonical entry is larger than ${MAX_ENTRY_BYTES} bytes`, 'body');
  }
  return text;
}

/** A new entry stamped with `now`. Throws as `canonicalEntry`. */
export function createEntry(kind: EntryKind, body: Record<string, unknown>, now = new Date()): string {
  return canonicalEntry({ kind, at: now.toISOString(), body });
}

/**
 * Parses a stored or pending entry text and checks it is exactly its own canonical form (so the
 * leaf hash of the stored bytes is the hash of the entry). Throws LOG_BAD_ENTRY.
 */
export function parseEntry(text: string): LogEntry {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw bad('the entry is not JSON');
  }
  let canonical: string;
  try {
    canonical = canonicalEntry(value as LogEntry);
  } catch (err) {
    throw err instanceof BrokerError && err.code === 'LOG_BAD_ENTRY'
      ? err
      : bad('the entry is not plain JSON');
  }
  if (canonical !== text) throw bad('the entry is not in RFC 8785 canonical form');
  return value as LogEntry;
}

/** The RFC 9162 leaf hash of a canonical entry text. */
export function entryLeafHash(text: string): Uint8Array {
  return leafHash(utf8(text));
}
