/**
 * Common input guards for schema "cn-credit/1" (DESIGN §2), run on every raw value before any
 * type-specific work.
 *
 * - FIELD_TOO_LONG: more than 256 UTF-16 code units. Checked first, before any scan, so a 1 MiB
 *   value costs one property read.
 * - FIELD_ENCODING: the value holds a character that cannot be part of an honest identifier. All are
 *   rejected, none stripped: stripping would let two values that differ byte-wise tokenize equal
 *   (or let an attacker hide text), and a member should fix its extract instead. Rejected:
 *   lone surrogates (Cs); U+FFFD and the noncharacters U+FFFE/U+FFFF (signs of bad UTF-8 decoding);
 *   C0 and C1 controls and DEL (Cc, including TAB/CR/LF: a line break in a field is a CSV bug);
 *   format characters (Cf: bidi embeddings/overrides/isolates U+202A–U+202E, U+2066–U+2069, LRM/RLM,
 *   zero-width U+200B–U+200D, U+FEFF, soft hyphen, tag characters); line/paragraph separators
 *   (Zl, Zp); private-use characters (Co: their meaning differs per vendor, so they cannot join);
 *   every Default_Ignorable_Code_Point (variation selectors, Hangul fillers, combining grapheme
 *   joiner and other invisible characters).
 */
import { BrokerError } from '../errors.js';
import type { IdentifierType } from './schema.js';

/** Longest raw value accepted, in UTF-16 code units. */
export const MAX_RAW_LENGTH = 256;

// One character class, no quantifiers: a single linear scan.
const FORBIDDEN = /[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Zl}\p{Zp}\p{Default_Ignorable_Code_Point}\uFFFD\uFFFE\uFFFF]/u;

/**
 * Throws FIELD_TOO_LONG or FIELD_ENCODING (with `field` = the identifier type) when `raw` fails the
 * common guards. The error names the position and code point, never the value.
 */
export function guardRaw(raw: string, field: IdentifierType): void {
  if (raw.length > MAX_RAW_LENGTH) {
    throw new BrokerError('FIELD_TOO_LONG', `value is longer than ${MAX_RAW_LENGTH} characters`, {
      field,
      hint: `send at most ${MAX_RAW_LENGTH} characters per identifier field`,
      details: { length: raw.length, max: MAX_RAW_LENGTH },
    });
  }
  const found = FORBIDDEN.exec(raw);
  if (found !== null) {
    const codePoint = found[0].codePointAt(0) ?? 0;
    throw new BrokerError('FIELD_ENCODING', 'value holds a control, invisible or undecodable character', {
      field,
      hint: 'export the field as clean UTF-8 without control, bidi, zero-width or replacement characters',
      details: {
        position: found.index,
        codePoint: `U+${codePoint.toString(16).toUpperCase().padStart(4, '0')}`,
      },
    });
  }
}

/** True when `raw` is empty or whitespace only (such values never produce a token). */
export function isBlank(raw: string): boolean {
  return raw.trim() === '';
}
