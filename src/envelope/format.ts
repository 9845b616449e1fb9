/**
 * Envelope bb1 (DESIGN §3; docs/formats.md "Envelope bb1"): types, size limits, name rules and the
 * two AAD strings. AES-256-GCM (NIST SP 800-38D) binds every ciphertext to its context through the
 * AAD; because `|` is refused inside owner, recordId and group, and group and identifier-type names
 * are restricted, each AAD string has exactly one reading.
 */
import { BrokerError } from '../errors.js';
import type { IdentifierType, SCHEMA } from '../normalize/schema.js';

export const ENVELOPE_VERSION = 'bb1';
/** Prefix of every sealed value: "bb1." + base64url(nonce ‖ ciphertext ‖ tag). */
export const SEALED_PREFIX = 'bb1.';
export const DATA_KEY_BYTES = 32;
/** nonce (12) + tag (16) around every AES-GCM ciphertext. */
export const GCM_OVERHEAD_BYTES = 28;
/** A wrapped data key: nonce ‖ 32-byte key ‖ tag. */
export const SLOT_BYTES = DATA_KEY_BYTES + GCM_OVERHEAD_BYTES;

export const LIMITS = {
  /** owner and recordId, in UTF-16 code units. */
  maxIdChars: 128,
  maxGroups: 16,
  maxFieldsPerGroup: 64,
  /** UTF-8 JSON of one group before encryption. */
  maxGroupPlaintextBytes: 16 * 1024,
} as const;

export const GROUP_NAME = /^[a-z][a-z0-9_]{0,31}$/;
export const FIELD_NAME = /^[A-Za-z][A-Za-z0-9_]{0,63}$/;
/** `|` would make an AAD ambiguous; controls and lone surrogates (which UTF-8 encodes as U+FFFD) too. */
const BAD_ID_CHAR = /[|\p{Cc}]|\p{Cs}/u;

/** The normalization schema an envelope is bound to (only "cn-credit/1" today). */
export type EnvelopeSchema = typeof SCHEMA;

export type FieldValue = string | number | null;
export type GroupFields = Record<string, FieldValue>;

export interface SealedGroup {
  /** "bb1." + base64url(nonce ‖ ciphertext ‖ tag) of the group's UTF-8 JSON under its data key. */
  ct: string;
  /** One wrapped data key per identifier type on the record. */
  slots: Partial<Record<IdentifierType, string>>;
}

export interface Envelope {
  v: typeof ENVELOPE_VERSION;
  owner: string;
  recordId: string;
  schema: EnvelopeSchema;
  groups: Record<string, SealedGroup>;
}

// The AADs are encoded with Buffer.from rather than TextEncoder: same bytes (ids with lone
// surrogates are refused above, so neither encoder ever substitutes U+FFFD), and for these short
// strings it is served from Node's buffer pool, which is measurably cheaper at ~8 AADs per record.

/** AAD of a group ciphertext: utf8("bb1|owner|recordId|group|schema"). */
export function contentAad(owner: string, recordId: string, group: string, schema: string): Uint8Array {
  return Buffer.from(`bb1|${owner}|${recordId}|${group}|${schema}`, 'utf8');
}

/** AAD of a subject slot: utf8("bb1|slot|owner|recordId|group|idType"). */
export function slotAad(owner: string, recordId: string, group: string, type: IdentifierType): Uint8Array {
  return Buffer.from(`bb1|slot|${owner}|${recordId}|${group}|${type}`, 'utf8');
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** Checks an owner or recordId; throws BrokerError `code` naming `field`. */
export function checkIdPart(value: unknown, field: string, code: string): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > LIMITS.maxIdChars) {
    throw new BrokerError(code, `${field} must be a string of 1..${LIMITS.maxIdChars} characters`, { field });
  }
  if (BAD_ID_CHAR.test(value)) {
    throw new BrokerError(code, `${field} contains "|", a control character or a lone surrogate`, {
      field,
      hint: 'use ids without "|" or control characters',
    });
  }
  return value;
}

/** Checks a group name; throws BrokerError `code` naming `field`. */
export function checkGroupName(value: string, field: string, code: string): void {
  if (!GROUP_NAME.test(value)) {
    throw new BrokerError(code, `group name must match ${GROUP_NAME.source}`, { field });
  }
}

/**
 * Checks one group's fields (a plain object of string, finite number or null) and returns a copy;
 * throws BrokerError `code` naming the offending field. Used on the way in (seal) and on the
 * decrypted plaintext (open), since an owner's plaintext is hostile input to its reader too.
 */
export function checkGroupFields(value: unknown, field: string, code: string): GroupFields {
  if (!isPlainObject(value)) throw new BrokerError(code, `${field} must be an object of fields`, { field });
  const names = Object.keys(value);
  if (names.length > LIMITS.maxFieldsPerGroup) {
    throw new BrokerError(code, `${field} has more than ${LIMITS.maxFieldsPerGroup} fields`, { field });
  }
  const out: GroupFields = {};
  for (const name of names) {
    const item = value[name];
    if (!FIELD_NAME.test(name)) {
      throw new BrokerError(code, `field name must match ${FIELD_NAME.source}`, {
        field: `${field}.${name}`,
      });
    }
    if (!(item === null || typeof item === 'string' || (typeof item === 'number' && Number.isFinite(item)))) {
      throw new BrokerError(code, 'a field value must be a string, a finite number or null', {
        field: `${field}.${name}`,
      });
    }
    out[name] = item;
  }
  return out;
}
