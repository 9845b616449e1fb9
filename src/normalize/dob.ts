/**
 * `dob` normalization for schema "cn-credit/1" (DESIGN §2): a date of birth as ISO 8601 YYYY-MM-DD.
 *
 * Steps: common guards; NFKC (full-width digits, `／` and `．` become ASCII); strip all whitespace.
 * Accepted forms: YYYYMMDD; YYYY-M-D, YYYY/M/D, YYYY.M.D with one- or two-digit month and day
 * (spreadsheets drop the leading zero); YYYY年M月D日. The date must be real and within
 * 1900-01-01 … today (China Standard Time, see date.ts).
 *
 * Codes: FIELD_TOO_LONG, FIELD_ENCODING, DOB_FORMAT, DOB_DATE.
 */
import { BrokerError } from '../errors.js';
import { BIRTH_DATE_PROBLEM_TEXT, checkBirthDate } from './date.js';
import { guardRaw } from './guard.js';

const FIELD = 'dob';
const COMPACT = /^(\d{4})(\d{2})(\d{2})$/;
const SEPARATED = /^(\d{4})([-/.])(\d{1,2})\2(\d{1,2})$/;
const HAN = /^(\d{4})年(\d{1,2})月(\d{1,2})日$/;
const WHITESPACE = /\s+/g;

function parseParts(text: string): [string, string, string] | undefined {
  const compact = COMPACT.exec(text);
  if (compact) return [compact[1] ?? '', compact[2] ?? '', compact[3] ?? ''];
  const separated = SEPARATED.exec(text);
  if (separated) return [separated[1] ?? '', separated[3] ?? '', separated[4] ?? ''];
  const han = HAN.exec(text);
  if (han) return [han[1] ?? '', han[2] ?? '', han[3] ?? ''];
  return undefined;
}

/** Normalizes a date of birth to YYYY-MM-DD. Throws BrokerError (codes above). */
export function normalizeDob(raw: string): string {
  guardRaw(raw, FIELD);
  const parts = parseParts(raw.normalize('NFKC').replace(WHITESPACE, ''));
  if (parts === undefined) {
    throw new BrokerError('DOB_FORMAT', 'the date of birth is not in a recognised form', {
      field: FIELD,
      hint: 'write it as YYYY-MM-DD (also accepted: YYYYMMDD, YYYY/MM/DD, YYYY.MM.DD, YYYY年M月D日)',
    });
  }
  const birth = checkBirthDate(Number(parts[0]), Number(parts[1]), Number(parts[2]));
  if (!birth.ok) {
    throw new BrokerError('DOB_DATE', `the date of birth ${BIRTH_DATE_PROBLEM_TEXT[birth.problem]}`, {
      field: FIELD,
      hint: 'send a real date between 1900-01-01 and today',
      details: { problem: birth.problem },
    });
  }
  return birth.iso;
}
