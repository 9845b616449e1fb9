// Property tests (fast-check) for schema "cn-credit/1" normalization (DESIGN §2).
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { isBrokerError } from '../../src/errors.js';
import {
  IDENTIFIER_TYPES,
  RESIDENT_ID_REGIONS,
  birthDateOfResidentId,
  normalizeIdentifier,
  residentIdCheckChar,
  usccCheckChar,
} from '../../src/normalize/index.js';
import type { IdentifierType } from '../../src/normalize/index.js';

const CHECK_CHARS = '0123456789X';
const USCC_CHARSET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const REGIONS = [...RESIDENT_ID_REGIONS];

const digits = (n: number) =>
  fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: n, maxLength: n });

/** A birth date from 1900-01-01 to 2019-12-31 as [YYYY, MM, DD]. */
const birthDate = fc
  .date({ min: new Date('1900-01-01T00:00:00Z'), max: new Date('2019-12-31T00:00:00Z'), noInvalidDate: true })
  .map((d) => d.toISOString().slice(0, 10).split('-') as [string, string, string]);

const ridBody = fc
  .tuple(fc.constantFrom(...REGIONS), digits(4), birthDate, digits(3))
  .map(([region, area, [y, m, d], seq]) => `${region}${area}${y}${m}${d}${seq}`);

/** A 15-digit first-generation ID: birth years 1900–1999 written as two digits. */
const rid15 = fc
  .tuple(fc.constantFrom(...REGIONS), digits(4), birthDate, digits(3))
  .filter(([, , [y]]) => y.startsWith('19'))
  .map(([region, area, [y, m, d], seq]) => `${region}${area}${y.slice(2)}${m}${d}${seq}`);

/** ASCII to its full-width form (U+FF01–U+FF5E, space to U+3000); other characters unchanged. */
const toFullWidth = (s: string) =>
  [...s]
    .map((c) => {
      const code = c.charCodeAt(0);
      if (c === ' ') return '\u3000';
      return code > 0x20 && code < 0x7f ? String.fromCharCode(code + 0xfee0) : c;
    })
    .join('');

/** Spaces (ASCII or ideographic) inserted at random positions, random chars made full-width. */
function reformat(value: string) {
  return fc
    .array(fc.tuple(fc.boolean(), fc.constantFrom('', '', ' ', '\u3000')), {
      minLength: value.length,
      maxLength: value.length,
    })
    .map((choices) =>
      [...value].map((c, i) => (choices[i]?.[0] ? toFullWidth(c) : c) + (choices[i]?.[1] ?? '')).join(''),
    );
}

const mobile = fc
  .tuple(fc.constantFrom('138', '139', '150', '158', '186', '188', '199', '177'), digits(8))
  .map(([p, rest]) => p + rest);

const hanName = fc.string({
  unit: fc.constantFrom(...'张王李赵刘陈杨黄吴周徐孙马朱胡郭何林罗高梁买提吐尔逊阿依古丽'),
  minLength: 2,
  maxLength: 4,
});
const latinWord = fc.string({
  unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ'),
  minLength: 1,
  maxLength: 8,
});
const nameInput = fc.oneof(
  hanName,
  fc
    .tuple(hanName, fc.constantFrom('\u00B7', '\u2022', '\u2027', '\u30FB', '\uFF65', ' · '), hanName)
    .map((p) => p.join('')),
  fc.array(latinWord, { minLength: 1, maxLength: 4 }).map((w) => w.join(' ')),
);

const usccInput = fc
  .string({ unit: fc.constantFrom(...USCC_CHARSET), minLength: 17, maxLength: 17 })
  .map((body) => body + usccCheckChar(body));

const dobInput = birthDate.chain(([y, m, d]) =>
  fc.constantFrom(
    `${y}-${m}-${d}`,
    `${y}${m}${d}`,
    `${y}/${Number(m)}/${Number(d)}`,
    `${y}.${m}.${d}`,
    `${y}年${Number(m)}月${Number(d)}日`,
  ),
);

const emailInput = fc.emailAddress().filter((e) => e.length <= 254);

const validInputs: Record<IdentifierType, fc.Arbitrary<string>> = {
  cn_rid: fc.oneof(
    ridBody.map((b) => b + residentIdCheckChar(b)),
    rid15,
  ),
  phone: fc.oneof(
    mobile,
    mobile.map((m) => `+86 ${m.slice(0, 3)} ${m.slice(3, 7)} ${m.slice(7)}`),
  ),
  name: nameInput,
  dob: dobInput,
  uscc: usccInput,
  email: emailInput,
};

/** Normalizes, mapping a BrokerError to undefined (used where arbitrary inputs may be invalid). */
function attempt(type: IdentifierType, raw: string): string | null | undefined {
  try {
    return normalizeIdentifier(type, raw);
  } catch (err) {
    if (isBrokerError(err)) return undefined;
    throw err;
  }
}

describe('normalize: properties', () => {
  for (const type of IDENTIFIER_TYPES) {
    it(`when a valid ${type} is normalized twice, then the second pass changes nothing`, () => {
      fc.assert(
        fc.property(validInputs[type], (raw) => {
          const once = normalizeIdentifier(type, raw);
          assert.equal(typeof once, 'string');
          assert.equal(normalizeIdentifier(type, once), once);
        }),
      );
    });

    it(`when any string normalizes as a ${type}, then its output is a fixed point`, () => {
      fc.assert(
        fc.property(fc.string({ unit: 'binary', maxLength: 40 }), (raw) => {
          const once = attempt(type, raw);
          if (typeof once === 'string') assert.equal(normalizeIdentifier(type, once), once);
        }),
        { numRuns: 500 },
      );
    });
  }

  it('when a 17-digit body gets its computed check char, then it validates, and any other char fails RID_CHECKSUM', () => {
    fc.assert(
      fc.property(ridBody, fc.constantFrom(...CHECK_CHARS), (body, other) => {
        const check = residentIdCheckChar(body);
        assert.equal(normalizeIdentifier('cn_rid', body + check), body + check);
        fc.pre(other !== check);
        assert.throws(
          () => normalizeIdentifier('cn_rid', body + other),
          (err: unknown) => isBrokerError(err, 'RID_CHECKSUM'),
        );
      }),
    );
  });

  it('when a 15-digit ID is upgraded, then the 18-digit result validates and keeps the birth date', () => {
    fc.assert(
      fc.property(rid15, (id15) => {
        const id18 = normalizeIdentifier('cn_rid', id15);
        assert.ok(id18 !== null && id18.length === 18);
        assert.equal(normalizeIdentifier('cn_rid', id18), id18);
        assert.equal(
          birthDateOfResidentId(id18),
          `19${id15.slice(6, 8)}-${id15.slice(8, 10)}-${id15.slice(10, 12)}`,
        );
        assert.equal(id18.slice(0, 6) + id18.slice(8, 17), id15);
      }),
    );
  });

  it('when a resident ID is reformatted (spaces, full-width, lowercase x), then the output is unchanged', () => {
    fc.assert(
      fc.property(
        ridBody.chain((b) => {
          const id = b + residentIdCheckChar(b);
          return fc.tuple(fc.constant(id), reformat(id.replace('X', 'x')));
        }),
        ([id, variant]) => assert.equal(normalizeIdentifier('cn_rid', variant), id),
      ),
    );
  });

  it('when a USCC is reformatted (spaces, full-width, lowercase), then the output is unchanged', () => {
    fc.assert(
      fc.property(
        usccInput.chain((code) => fc.tuple(fc.constant(code), reformat(code.toLowerCase()))),
        ([code, variant]) => assert.equal(normalizeIdentifier('uscc', variant), code),
      ),
    );
  });

  it('when a mobile is written with +86, 0086, dashes or full-width digits, then the output is unchanged', () => {
    fc.assert(
      fc.property(mobile, (m) => {
        const e164 = `+86${m}`;
        const forms = [
          m,
          `+86 ${m}`,
          `0086${m}`,
          `${m.slice(0, 3)}-${m.slice(3, 7)}-${m.slice(7)}`,
          toFullWidth(m),
        ];
        for (const form of forms) assert.equal(normalizeIdentifier('phone', form), e164);
      }),
    );
  });

  it('when a name changes case, width or spacing, then the output is unchanged', () => {
    fc.assert(
      fc.property(nameInput, (name) => {
        const out = normalizeIdentifier('name', name);
        for (const form of [
          name.toLowerCase(),
          name.toUpperCase(),
          toFullWidth(name),
          `  ${name.replace(/ /g, '   ')} `,
        ]) {
          assert.equal(normalizeIdentifier('name', form), out);
        }
      }),
    );
  });

  it('when a date of birth is written in any accepted form, then the output is the same ISO date', () => {
    fc.assert(
      fc.property(birthDate, ([y, m, d]) => {
        for (const form of [
          `${y}${m}${d}`,
          `${y}/${Number(m)}/${Number(d)}`,
          `${y}年${m}月${d}日`,
          toFullWidth(`${y}.${m}.${d}`),
        ]) {
          assert.equal(normalizeIdentifier('dob', form), `${y}-${m}-${d}`);
        }
      }),
    );
  });
});
