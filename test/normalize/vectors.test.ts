// Runs the JSON vectors of schema "cn-credit/1" (test/vectors/normalize/*.json, DESIGN §2).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { isBrokerError } from '../../src/errors.js';
import {
  IDENTIFIER_TYPES,
  NORMALIZE_ERROR_CODES,
  SCHEMA,
  normalizeIdentifier,
} from '../../src/normalize/index.js';

interface VectorFile {
  schema: string;
  valid: { in: string; out: string; note: string }[];
  invalid: { in: string; code: string; note: string }[];
}

function label(input: string, note: string): string {
  return `${note} (${input.length > 40 ? `${input.slice(0, 40)}…` : input})`;
}

for (const type of IDENTIFIER_TYPES) {
  const url = new URL(`../vectors/normalize/${type}.json`, import.meta.url);
  const vectors = JSON.parse(readFileSync(url, 'utf8')) as VectorFile;

  describe(`normalize vectors: ${type}`, () => {
    it('when the vector file is read, then it is for this schema and has both kinds', () => {
      assert.equal(vectors.schema, SCHEMA);
      assert.ok(vectors.valid.length > 0 && vectors.invalid.length > 0);
    });

    for (const v of vectors.valid) {
      it(`when given ${label(v.in, v.note)}, then it normalizes to the vector output`, () => {
        assert.equal(normalizeIdentifier(type, v.in), v.out);
        assert.equal(normalizeIdentifier(type, v.out), v.out, 'output is a fixed point');
      });
    }

    for (const v of vectors.invalid) {
      it(`when given ${label(v.in, v.note)}, then it is rejected with ${v.code}`, () => {
        assert.ok(NORMALIZE_ERROR_CODES[type].includes(v.code), 'vector code is documented');
        assert.throws(
          () => normalizeIdentifier(type, v.in),
          (err: unknown) => isBrokerError(err, v.code) && err.field === type && !!err.hint,
        );
      });
    }
  });
}

describe('normalizeIdentifier: missing values', () => {
  for (const type of IDENTIFIER_TYPES) {
    it(`when a ${type} is null, undefined, empty or whitespace only, then it is null`, () => {
      for (const raw of [null, undefined, '', '   ', '\u3000', ' \u00A0 ']) {
        assert.equal(normalizeIdentifier(type, raw), null);
      }
    });
  }

  it('when the type is unknown, then it throws TypeError', () => {
    assert.throws(() => normalizeIdentifier('passport' as never, 'x'), TypeError);
  });
});
