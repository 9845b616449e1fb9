/**
 * `phone` normalization for schema "cn-credit/1" (DESIGN §2): E.164 (ITU-T E.164) through the
 * libphonenumber metadata, default region CN. The `max` metadata is used so that validity checks
 * the real number patterns of each region (the `min` metadata only checks lengths).
 *
 * Steps: common guards; NFKC (full-width digits and `＋` become ASCII); only digits, spaces and the
 * punctuation `+ - ( ) . /` are allowed (letters, `ext`, `tel:` and text around the number are
 * rejected rather than guessed at); parse strictly (no extraction from surrounding text); the
 * number must be valid for its region. `+86 …`, `0086 …` and national forms all give `+86…`.
 *
 * Any valid number is accepted, not only mobiles: fixed lines and numbers of other regions are
 * real contact numbers of borrowers, and a type filter belongs to the matching policy, not to
 * normalization.
 *
 * Codes: FIELD_TOO_LONG, FIELD_ENCODING, PHONE_INVALID.
 */
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { BrokerError } from '../errors.js';
import { guardRaw } from './guard.js';

const FIELD = 'phone';
const ALLOWED = /^[\d\s+\-()./]+$/;
const PARENTHESES = /[()]/g;
const HINT = 'send a complete number: 11-digit mobile, area code + number, or +country code + number';

function invalid(message: string): BrokerError {
  return new BrokerError('PHONE_INVALID', message, { field: FIELD, hint: HINT });
}

/** Normalizes a phone number to E.164 (`+8613800138000`). Throws BrokerError (codes above). */
export function normalizePhone(raw: string): string {
  guardRaw(raw, FIELD);
  const text = raw.normalize('NFKC');
  if (!ALLOWED.test(text)) {
    throw invalid('the phone number holds characters other than digits, spaces and + - ( ) . /');
  }
  // `(+86)` and `(010)` are common written forms; libphonenumber rejects a parenthesised `+`.
  const parsed = parsePhoneNumberFromString(text.replace(PARENTHESES, ' ').trim(), {
    defaultCountry: 'CN',
    extract: false,
  });
  if (parsed === undefined || !parsed.isValid()) {
    throw invalid('the phone number is not a valid number for its region');
  }
  return parsed.number;
}
