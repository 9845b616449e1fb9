/**
 * `cn_rid` normalization for schema "cn-credit/1" (DESIGN §2): the PRC citizen identity number of
 * GB 11643-1999, check character ISO 7064 MOD 11-2.
 *
 * Steps: common guards; NFKC (full-width digits and letters become ASCII); strip all whitespace
 * (including U+3000); uppercase `x`. A 15-digit first-generation number is upgraded to 18 by
 * inserting "19" after the 6-digit region code and computing the check character (it had none, so
 * it can never fail RID_CHECKSUM). Then, in this order: region (first two digits a province-level
 * code of GB/T 2260, or 81/82/83 used by Hong Kong, Macao and Taiwan residence permits), birth date
 * (characters 7–14, see date.ts), check character.
 *
 * Codes: FIELD_TOO_LONG, FIELD_ENCODING, RID_FORMAT, RID_REGION, RID_DATE, RID_CHECKSUM.
 */
import { BrokerError } from '../errors.js';
import { BIRTH_DATE_PROBLEM_TEXT, checkBirthDate } from './date.js';
import { guardRaw } from './guard.js';

const FIELD = 'cn_rid';
const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2] as const;
const CHECK_CHARS = '10X98765432';
const BODY17 = /^\d{17}$/;
const FORM18 = /^\d{17}[\dX]$/;
const FORM15 = /^\d{15}$/;
const WHITESPACE = /\s+/g;

/** Province-level codes of GB/T 2260 plus 81 (Hong Kong), 82 (Macao), 83 (Taiwan) permit codes. */
export const RESIDENT_ID_REGIONS: ReadonlySet<string> = new Set([
  ...['11', '12', '13', '14', '15', '21', '22', '23'],
  ...['31', '32', '33', '34', '35', '36', '37'],
  ...['41', '42', '43', '44', '45', '46', '50', '51', '52', '53', '54'],
  ...['61', '62', '63', '64', '65', '71', '81', '82', '83'],
]);

function formatError(message: string): BrokerError {
  return new BrokerError('RID_FORMAT', message, {
    field: FIELD,
    hint: 'send 18 characters (17 digits and a digit or X) or a 15-digit first-generation number',
  });
}

/**
 * The ISO 7064 MOD 11-2 check character for the first 17 digits of a resident ID.
 * Throws RID_FORMAT unless `first17` is exactly 17 ASCII digits.
 */
export function residentIdCheckChar(first17: string): string {
  if (!BODY17.test(first17)) throw formatError('the ID body is not 17 digits');
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += (first17.charCodeAt(i) - 48) * (WEIGHTS[i] ?? 0);
  return CHECK_CHARS.charAt(sum % 11);
}

/**
 * The birth date (YYYY-MM-DD) encoded in a normalized 18-character ID. Does not re-validate the
 * date; throws RID_FORMAT when `normalized` is not 18 characters of ID form.
 */
export function birthDateOfResidentId(normalized: string): string {
  if (!FORM18.test(normalized)) throw formatError('the ID is not in normalized 18-character form');
  return `${normalized.slice(6, 10)}-${normalized.slice(10, 12)}-${normalized.slice(12, 14)}`;
}

/**
 * Normalizes a resident ID to its 18-character form. Throws BrokerError with one of the codes in
 * the file comment; messages never contain the value.
 */
export function normalizeResidentId(raw: string): string {
  guardRaw(raw, FIELD);
  const compact = raw.normalize('NFKC').replace(WHITESPACE, '').toUpperCase();
  let id: string;
  if (FORM15.test(compact)) {
    const body = `${compact.slice(0, 6)}19${compact.slice(6)}`;
    id = body + residentIdCheckChar(body);
  } else if (FORM18.test(compact)) {
    id = compact;
  } else {
    throw formatError(`the ID has ${compact.length} characters or a character other than digits and X`);
  }
  if (!RESIDENT_ID_REGIONS.has(id.slice(0, 2))) {
    throw new BrokerError('RID_REGION', 'the ID does not start with a known province-level region code', {
      field: FIELD,
      hint: 'check the first two digits (11–15, 21–23, 31–37, 41–46, 50–54, 61–65, 71, 81–83)',
    });
  }
  const birth = checkBirthDate(Number(id.slice(6, 10)), Number(id.slice(10, 12)), Number(id.slice(12, 14)));
  if (!birth.ok) {
    throw new BrokerError('RID_DATE', `the birth date in the ID ${BIRTH_DATE_PROBLEM_TEXT[birth.problem]}`, {
      field: FIELD,
      hint: 'check digits 7–14 (YYYYMMDD) of the ID',
      details: { problem: birth.problem },
    });
  }
  if (id.charAt(17) !== residentIdCheckChar(id.slice(0, 17))) {
    throw new BrokerError('RID_CHECKSUM', 'the check character of the ID does not match its digits', {
      field: FIELD,
      hint: 'the ID has a typo: re-enter it from the identity document',
    });
  }
  return id;
}
