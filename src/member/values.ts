/**
 * Parsing of the non-identifier values a mapping declares as metadata or seals in a group. Values
 * are the owner's business data, validated so that nothing malformed is sealed or declared.
 */
import { BrokerError } from '../errors.js';
import type { ValueSpec } from './mapping.js';

export type FieldValue = string | number | null;

const MAX_STRING = 256;
// Control (Cc), format (Cf: bidi overrides, zero-width) and private-use characters, and U+FFFD,
// which the UTF-8 decoder puts where the file had undecodable bytes.
const UNSAFE = /[\p{Cc}\p{Cf}\p{Co}\ufffd]/u;
const INTEGER = /^-?\d{1,15}$/;
const DECIMAL = /^\d{1,13}(?:\.\d{1,4})?$/;
const DATE = /^(\d{4})-(\d{2})(?:-(\d{2}))?$/;

function invalid(field: string, message: string, hint: string): BrokerError {
  return new BrokerError('VALUE_INVALID', message, { field, hint });
}

function isRealDate(year: number, month: number, day: number): boolean {
  const d = new Date(Date.UTC(year, month - 1, day));
  return d.getUTCFullYear() === year && d.getUTCMonth() === month - 1 && d.getUTCDate() === day;
}

function parseDate(field: string, text: string, monthOnly: boolean): string {
  const m = DATE.exec(text);
  const year = Number(m?.[1]);
  const month = Number(m?.[2]);
  const day = m?.[3] === undefined ? 1 : Number(m[3]);
  if (!m || (!monthOnly && m[3] === undefined) || year < 1900 || !isRealDate(year, month, day)) {
    throw invalid(field, `${field} is not a real ${monthOnly ? 'month' : 'date'}`, 'write YYYY-MM-DD');
  }
  return monthOnly ? `${m[1]}-${m[2]}` : `${m[1]}-${m[2]}-${m[3]}`;
}

/**
 * Parses one value by its spec; empty input gives null.
 * @throws BrokerError FIELD_MISSING (required and empty), VALUE_TOO_LONG, VALUE_INVALID
 */
export function parseValue(field: string, spec: ValueSpec, raw: string | undefined): FieldValue {
  const text = (raw ?? '').trim();
  if (text === '') {
    if (spec.required)
      throw new BrokerError('FIELD_MISSING', `${field} is required`, {
        field,
        hint: `fill column ${spec.column}`,
      });
    return null;
  }
  if (text.length > MAX_STRING) {
    throw new BrokerError('VALUE_TOO_LONG', `${field} is over ${MAX_STRING} characters`, { field });
  }
  if (UNSAFE.test(text)) {
    throw new BrokerError('FIELD_ENCODING', `${field} holds control characters or undecodable bytes`, {
      field,
      hint: 'export the file as UTF-8 without control characters',
    });
  }
  switch (spec.kind) {
    case 'string':
      return text;
    case 'integer':
      if (!INTEGER.test(text) || Number(text) < 0)
        throw invalid(field, `${field} is not a whole number ≥ 0`, 'write digits only');
      return Number(text);
    case 'decimal':
      if (!DECIMAL.test(text))
        throw invalid(
          field,
          `${field} is not an amount`,
          'write digits with at most 4 decimals, no separators',
        );
      return Number(text);
    case 'enum': {
      const value = text.toLowerCase();
      if (!spec.values?.includes(value))
        throw invalid(
          field,
          `${field} must be one of ${spec.values?.join(', ')}`,
          'use one of the listed values',
        );
      return value;
    }
    case 'month':
      return parseDate(field, text, true);
    case 'date':
      return parseDate(field, text, false);
  }
}
