/**
 * `name` normalization for schema "cn-credit/1" (DESIGN §2): a person's name as printed on the
 * identity document, in a form where spelling variants that mean the same name compare equal.
 *
 * Steps, after the common guards:
 * 1. NFKC: full-width letters and spaces (U+3000) become half-width; Han characters stay Han.
 * 2. Whitespace: trimmed, inner runs collapsed to one ASCII space.
 * 3. Variants unified: the middle dots written in minority names (U+00B7, U+2022 bullet, U+2027
 *    hyphenation point, U+30FB/U+FF65 katakana middle dot, U+2219, U+22C5, U+A78F) become U+00B7,
 *    with any spaces around them removed; typographic apostrophes (U+2018, U+2019, U+02BC) become
 *    `'`; hyphen and dash variants (U+2010–U+2015, U+2212) become `-`.
 * 4. Spaces between two Han characters removed (a Han name never contains a space; `张 三` padded
 *    for alignment is `张三`).
 * 5. Case: letters are uppercased, so `Zhang San`, `ZHANG SAN` and `ｚｈａｎｇ ｓａｎ` join (ID
 *    documents print Latin names in capitals, and case must not break a match).
 * 6. Check: only letters, combining marks, U+3007 (〇, used in Han names), space, U+00B7, `'`, `-`
 *    and `.`; at least one letter; at most 64 code points.
 *
 * Codes: FIELD_TOO_LONG, FIELD_ENCODING, NAME_INVALID.
 */
import { BrokerError } from '../errors.js';
import { guardRaw } from './guard.js';

const FIELD = 'name';
const MAX_CODE_POINTS = 64;
const MIDDLE_DOTS = / ?[\u00B7\u2022\u2027\u30FB\uFF65\u2219\u22C5\uA78F] ?/g;
const APOSTROPHES = /[\u2018\u2019\u02BC]/g;
const HYPHENS = /[\u2010-\u2015\u2212]/g;
const WHITESPACE = /\s+/g;
const SPACE_BETWEEN_HAN = /(?<=\p{Script=Han}) (?=\p{Script=Han})/gu;
const ALLOWED = /^[\p{L}\p{M}\u3007 \u00B7'.-]+$/u;
const LETTER = /\p{L}/u;

function invalid(message: string, hint: string): BrokerError {
  return new BrokerError('NAME_INVALID', message, { field: FIELD, hint });
}

/** Normalizes a person's name. Throws BrokerError (codes above). */
export function normalizeName(raw: string): string {
  guardRaw(raw, FIELD);
  const name = raw
    .normalize('NFKC')
    .trim()
    .replace(WHITESPACE, ' ')
    .replace(MIDDLE_DOTS, '\u00B7')
    .replace(APOSTROPHES, "'")
    .replace(HYPHENS, '-')
    .replace(SPACE_BETWEEN_HAN, '')
    .toUpperCase()
    .normalize('NFKC');
  if (!ALLOWED.test(name) || !LETTER.test(name)) {
    throw invalid(
      'the name holds digits or symbols, or no letter',
      'use letters only, with spaces, middle dot (·), apostrophe, hyphen or period between parts',
    );
  }
  if ([...name].length > MAX_CODE_POINTS) {
    throw invalid(
      `the name is longer than ${MAX_CODE_POINTS} characters after normalization`,
      'send the name as printed on the identity document',
    );
  }
  return name;
}
