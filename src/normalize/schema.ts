/**
 * Identifier schema "cn-credit/1" (DESIGN §2): the identifier types, their error codes and the
 * dispatcher a member runs on every raw value before tokenization.
 */
import { normalizeDob } from './dob.js';
import { normalizeEmail } from './email.js';
import { guardRaw, isBlank } from './guard.js';
import { normalizeName } from './name.js';
import { normalizePhone } from './phone.js';
import { normalizeResidentId } from './resident-id.js';
import { normalizeUscc } from './uscc.js';

export const SCHEMA = 'cn-credit/1';

export const IDENTIFIER_TYPES = ['cn_rid', 'phone', 'name', 'dob', 'uscc', 'email'] as const;
export type IdentifierType = (typeof IDENTIFIER_TYPES)[number];

/** Code a caller uses when it requires a field that normalized to null. */
export const FIELD_MISSING = 'FIELD_MISSING';

const COMMON_CODES = ['FIELD_TOO_LONG', 'FIELD_ENCODING'] as const;

/** Every code each normalizer may throw; stable for schema "cn-credit/1". */
export const NORMALIZE_ERROR_CODES: Readonly<Record<IdentifierType, readonly string[]>> = {
  cn_rid: [...COMMON_CODES, 'RID_FORMAT', 'RID_REGION', 'RID_DATE', 'RID_CHECKSUM'],
  phone: [...COMMON_CODES, 'PHONE_INVALID'],
  name: [...COMMON_CODES, 'NAME_INVALID'],
  dob: [...COMMON_CODES, 'DOB_FORMAT', 'DOB_DATE'],
  uscc: [...COMMON_CODES, 'USCC_FORMAT', 'USCC_CHECKSUM'],
  email: [...COMMON_CODES, 'EMAIL_INVALID'],
};

/** The per-type normalizers; each applies the common guards itself. */
export const NORMALIZERS: Readonly<Record<IdentifierType, (raw: string) => string>> = {
  cn_rid: normalizeResidentId,
  phone: normalizePhone,
  name: normalizeName,
  dob: normalizeDob,
  uscc: normalizeUscc,
  email: normalizeEmail,
};

export function isIdentifierType(x: unknown): x is IdentifierType {
  return typeof x === 'string' && (IDENTIFIER_TYPES as readonly string[]).includes(x);
}

/**
 * Normalizes one raw value of the given type. Returns null for null, undefined, empty or
 * whitespace-only values (nulls never join; the caller decides whether that is FIELD_MISSING).
 * The common guards run before the blank check, so a 1 MiB or control-laden value is rejected
 * even when it is only whitespace.
 *
 * Throws BrokerError with `field` = type and a code from NORMALIZE_ERROR_CODES[type]; throws
 * TypeError when called with an unknown type or a non-string value (a programming error).
 */
export function normalizeIdentifier(type: IdentifierType, raw: string | null | undefined): string | null {
  if (!isIdentifierType(type)) throw new TypeError('unknown identifier type');
  if (raw === null || raw === undefined) return null;
  if (typeof raw !== 'string') throw new TypeError('identifier value must be a string');
  guardRaw(raw, type);
  if (isBlank(raw)) return null;
  return NORMALIZERS[type](raw);
}
