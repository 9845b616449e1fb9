/**
 * Validation and re-keying of one record line of a batch (DESIGN §2, §3), as a list of small
 * checks over hostile input. A bad record becomes a reject (line number + stable code); it is never
 * stored half-way. The prepared value keeps index keys, declared metadata and the sealed envelope:
 * the member's tokens stop here.
 */
import { BrokerError, isBrokerError } from '../errors.js';
import { checkIdPart, isPlainObject } from '../envelope/format.js';
import { parseEnvelope } from '../envelope/parse.js';
import type { IndexKeyer } from '../tokenize/index-key.js';
import { isIdentifierType } from '../normalize/schema.js';
import type { IdentifierType } from '../normalize/schema.js';
import { fromUtf8 } from '../util/bytes.js';
import type { PreparedRecord } from '../store/record-store.js';

export const RECORD_STATES = ['active', 'closed', 'delinquent'] as const;
export type RecordState = (typeof RECORD_STATES)[number];

export interface RecordMeta {
  state: RecordState;
  category?: string;
  openedMonth?: string;
}

/** What a rejected record reports: never a value from the record, only where and why. */
export interface Reject {
  line: number;
  code: string;
  field?: string;
  recordId?: string;
  message: string;
}

const RECORD_KEYS = ['recordId', 'tokens', 'meta', 'envelope'];
const META_KEYS = ['state', 'category', 'openedMonth'];
const CATEGORY = /^[A-Za-z0-9_.-]{1,64}$/;
const MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;

function shape(message: string, field: string): never {
  throw new BrokerError('RECORD_SHAPE', message, { field });
}

function checkKeys(value: Record<string, unknown>, allowed: string[], field: string): void {
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key)) shape(`unexpected property ${JSON.stringify(key.slice(0, 40))}`, field);
  }
}

function checkMeta(value: unknown): RecordMeta {
  if (!isPlainObject(value)) shape('meta must be an object', 'meta');
  checkKeys(value, META_KEYS, 'meta');
  if (!(RECORD_STATES as readonly unknown[]).includes(value.state)) {
    shape(`meta.state must be one of ${RECORD_STATES.join(', ')}`, 'meta.state');
  }
  const meta: RecordMeta = { state: value.state as RecordState };
  if (value.category !== undefined) {
    if (typeof value.category !== 'string' || !CATEGORY.test(value.category)) {
      shape('meta.category must be 1-64 letters, digits, dot, underscore or hyphen', 'meta.category');
    }
    meta.category = value.category;
  }
  if (value.openedMonth !== undefined) {
    if (typeof value.openedMonth !== 'string' || !MONTH.test(value.openedMonth)) {
      shape('meta.openedMonth must be YYYY-MM', 'meta.openedMonth');
    }
    meta.openedMonth = value.openedMonth;
  }
  return meta;
}

function rekeyTokens(value: unknown, keyer: IndexKeyer): Partial<Record<IdentifierType, string>> {
  if (!isPlainObject(value)) shape('tokens must be an object', 'tokens');
  const out: Partial<Record<IdentifierType, string>> = {};
  for (const [type, token] of Object.entries(value)) {
    if (!isIdentifierType(type))
      shape(`unknown identifier type ${JSON.stringify(type.slice(0, 40))}`, 'tokens');
    try {
      out[type] = keyer.indexKeyOf(token as string);
    } catch (cause) {
      throw new BrokerError('BAD_TOKEN', `tokens.${type} is not 16 bytes of base64url`, {
        field: `tokens.${type}`,
        cause,
      });
    }
  }
  if (Object.keys(out).length === 0) {
    throw new BrokerError('BAD_TOKEN', 'a record needs at least one token', { field: 'tokens' });
  }
  return out;
}

/**
 * Validates one record line of `member`'s batch and re-keys its tokens.
 * Throws BrokerError BAD_JSON, RECORD_SHAPE, BAD_TOKEN, ENVELOPE_MALFORMED, ENVELOPE_VERSION,
 * OWNER_MISMATCH, RECORD_ID_MISMATCH.
 */
export function prepareRecord(bytes: Uint8Array, member: string, keyer: IndexKeyer): PreparedRecord {
  let parsed: unknown;
  try {
    parsed = JSON.parse(fromUtf8(bytes));
  } catch {
    throw new BrokerError('BAD_JSON', 'the line is not UTF-8 JSON');
  }
  if (!isPlainObject(parsed)) shape('a record must be a JSON object', '');
  checkKeys(parsed, RECORD_KEYS, '');
  const recordId = checkIdPart(parsed.recordId, 'recordId', 'RECORD_SHAPE');
  const indexKeys = rekeyTokens(parsed.tokens, keyer);
  const meta = checkMeta(parsed.meta);
  const envelope = parseEnvelope(parsed.envelope);
  if (envelope.owner !== member) {
    throw new BrokerError('OWNER_MISMATCH', 'envelope.owner is not the submitting member', {
      field: 'envelope.owner',
    });
  }
  if (envelope.recordId !== recordId) {
    throw new BrokerError('RECORD_ID_MISMATCH', 'envelope.recordId differs from recordId', {
      field: 'envelope.recordId',
    });
  }
  const value = Buffer.from(JSON.stringify({ recordId, indexKeys, meta, envelope }));
  return { recordId, value, indexKeys: Object.values(indexKeys) as string[] };
}

/** Turns a validation error into a reject; rethrows anything that is not a BrokerError. */
export function rejectOf(err: unknown, line: number, recordId?: string): Reject {
  if (!isBrokerError(err)) throw err;
  return {
    line,
    code: err.code,
    ...(err.field ? { field: err.field } : {}),
    ...(recordId !== undefined ? { recordId } : {}),
    message: err.message,
  };
}
