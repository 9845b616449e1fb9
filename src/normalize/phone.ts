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
 * Fast path: most rows carry a bare mainland mobile (`13800138000`, `+86 138 0013 8000`,
 * `0086…`). Once spaces and dashes are dropped, such a number is valid exactly when its 11 digits
 * match the MOBILE pattern of the CN plan in the same metadata, and libphonenumber would return
 * `+86` and those digits; the test suite checks the two paths agree on random and hostile input.
 * Anything else takes the full parse.
 *
 * Codes: FIELD_TOO_LONG, FIELD_ENCODING, PHONE_INVALID.
 */
import { Metadata } from 'libphonenumber-js/core';
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import maxMetadata from 'libphonenumber-js/metadata.max.json';
import { BrokerError } from '../errors.js';
import { guardRaw } from './guard.js';

const FIELD = 'phone';
const ALLOWED = /^[\d\s+\-()./]+$/;
const PARENTHESES = /[()]/g;
const SPACES_AND_DASHES = /[\s-]+/g;
/** A mainland mobile, bare or after the +86 / 0086 prefix, once spaces and dashes are dropped. */
const CN_MOBILE_SHAPE = /^(?:\+86|0086)?(1\d{10})$/;
const CN_MOBILE = cnMobilePattern();
/** Whether the mobile fast path is on (it needs the metadata's CN MOBILE pattern). */
export const PHONE_FAST_PATH = CN_MOBILE !== undefined;
const HINT = 'send a complete number: 11-digit mobile, area code + number, or +country code + number';

function invalid(message: string): BrokerError {
  return new BrokerError('PHONE_INVALID', message, { field: FIELD, hint: HINT });
}

/**
 * The CN plan's MOBILE national-number pattern from the `max` metadata, anchored; undefined (no
 * fast path) if this libphonenumber version no longer exposes it (`type()` is not in its typings).
 */
function cnMobilePattern(): RegExp | undefined {
  const metadata = new Metadata(maxMetadata);
  metadata.selectNumberingPlan('CN');
  const plan = metadata.numberingPlan as { type?: (t: string) => { pattern?: () => unknown } | undefined };
  const pattern = typeof plan?.type === 'function' ? plan.type('MOBILE')?.pattern?.() : undefined;
  return typeof pattern === 'string' && pattern.length > 0 ? new RegExp(`^(?:${pattern})$`) : undefined;
}

/** Normalizes a phone number to E.164 (`+8613800138000`). Throws BrokerError (codes above). */
export function normalizePhone(raw: string): string {
  guardRaw(raw, FIELD);
  const text = raw.normalize('NFKC');
  if (!ALLOWED.test(text)) {
    throw invalid('the phone number holds characters other than digits, spaces and + - ( ) . /');
  }
  const mobile = CN_MOBILE_SHAPE.exec(text.replace(SPACES_AND_DASHES, ''))?.[1];
  if (mobile !== undefined && CN_MOBILE?.test(mobile) === true) return `+86${mobile}`;
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
