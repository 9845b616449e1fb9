// The mainland-mobile fast path of normalizePhone must give exactly what the full libphonenumber
// parse gives: the same E.164 string for every input it accepts, PHONE_INVALID for every other.
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { isBrokerError } from '../../src/errors.js';
import { normalizePhone, PHONE_FAST_PATH } from '../../src/normalize/phone.js';

/** The reference: the documented steps of normalizePhone with the full parse only. */
function fullParse(raw: string): string | undefined {
  const text = raw.normalize('NFKC');
  if (!/^[\d\s+\-()./]+$/.test(text)) return undefined;
  const parsed = parsePhoneNumberFromString(text.replace(/[()]/g, ' ').trim(), {
    defaultCountry: 'CN',
    extract: false,
  });
  return parsed !== undefined && parsed.isValid() ? parsed.number : undefined;
}

function fastOrUndefined(raw: string): string | undefined {
  try {
    return normalizePhone(raw);
  } catch (err) {
    if (isBrokerError(err) && err.code === 'PHONE_INVALID') return undefined;
    throw err;
  }
}

const digit = fc.constantFrom(...'0123456789');
/** 11 digits starting with 1: every mainland mobile shape, valid prefixes or not. */
const elevenFromOne = fc.string({ unit: digit, minLength: 10, maxLength: 10 }).map((rest) => `1${rest}`);
/** Prefixes the carrier-code rule of the CN plan strips (11xx, 12xx, 179xx) and near misses. */
const carrierLike = fc
  .tuple(fc.constantFrom('11', '12', '179', '170', '178', '10', '19', '14', '16'), fc.nat(99_999_999))
  .map(([p, n]) => (p + String(n).padStart(11 - p.length, '0')).slice(0, 11));
const prefix = fc.constantFrom('', '+86', '+86 ', '0086', '0086 ', '86', '+ 86', '(+86)', '+0086', '+1', '0');
/** Spaces, dashes and other allowed punctuation dropped into random places. */
const separators = fc.array(fc.tuple(fc.nat(12), fc.constantFrom(' ', '-', '  ', '.', '/', '--', ' - ')), {
  maxLength: 4,
});

const written = fc
  .tuple(prefix, fc.oneof(elevenFromOne, carrierLike), separators, fc.constantFrom('', ' ', '-', '0'))
  .map(([p, number, cuts, tail]) => {
    let body = number;
    for (const [at, sep] of cuts) body = body.slice(0, at) + sep + body.slice(at);
    return `${p}${body}${tail}`;
  });

describe('normalizePhone mobile fast path', () => {
  it('is enabled with the installed libphonenumber metadata', () => {
    assert.equal(PHONE_FAST_PATH, true);
  });

  it('when a mobile-shaped input is written any way, then the result equals the full parse', () => {
    fc.assert(
      fc.property(written, (raw) => {
        assert.equal(fastOrUndefined(raw), fullParse(raw), `input ${JSON.stringify(raw)}`);
      }),
      { numRuns: 20_000 },
    );
  });

  it('when the input is any string over digits and phone punctuation, then the result equals the full parse', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom(...'0123456789+- ()./'), maxLength: 22 }), (raw) => {
        assert.equal(fastOrUndefined(raw), fullParse(raw), `input ${JSON.stringify(raw)}`);
      }),
      { numRuns: 20_000 },
    );
  });

  it('when a known mobile is written in the usual forms, then it is +86 and its digits', () => {
    for (const raw of ['13800138000', '+86 138 0013 8000', '0086-138-0013-8000', '+8613800138000']) {
      assert.equal(normalizePhone(raw), '+8613800138000');
    }
  });

  it('when dashes, spaces and plus signs sit around the prefix, then the result equals the full parse', () => {
    const m = '13800138000';
    const forms = [
      '-',
      '--',
      '+-86',
      '+86-',
      '0086-',
      '00-86',
      '+',
      '86',
      ' - ',
      '+86 - - ',
      '0-086',
      '+-',
      '+ +86',
    ];
    for (const form of forms) {
      for (const raw of [form + m, `${form}${m}-`, `${m}${form}`]) {
        assert.equal(fastOrUndefined(raw), fullParse(raw), `input ${JSON.stringify(raw)}`);
      }
    }
  });

  it('when 11 digits start with a prefix no carrier uses, then it is PHONE_INVALID', () => {
    for (const raw of ['12000138000', '10000138000', '11111111111']) {
      assert.equal(fullParse(raw), undefined, `reference accepts ${raw}`);
      assert.throws(() => normalizePhone(raw), { code: 'PHONE_INVALID' });
    }
  });
});
