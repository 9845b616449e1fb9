/**
 * checkSealed (parseEnvelope's non-decoding check of sealed values) and base64urlLength against the
 * decoding path they stand in for: on hostile and on random strings, each accepts exactly what
 * decodeSealed / fromBase64url accept, with the same error code and message.
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { checkSealed, decodeSealed } from '../../src/envelope/parse.js';
import { base64urlLength, fromBase64url } from '../../src/util/bytes.js';
import { HOSTILE_NON_STRINGS, HOSTILE_SEALED_STRINGS } from './hostile-inputs.js';

function outcome(run: () => unknown): string {
  try {
    run();
    return 'ok';
  } catch (err) {
    const e = err as { code?: string; message?: string; field?: string };
    return `${e.code} ${e.field} ${e.message}`;
  }
}

function sameAsDecode(value: unknown, min: number, max: number): void {
  assert.equal(
    outcome(() => checkSealed(value, 'f', min, max)),
    outcome(() => decodeSealed(value, 'f', min, max)),
    `for ${JSON.stringify(String(value)).slice(0, 60)}`,
  );
}

/** base64url text with a chosen length, sometimes with a character from outside the alphabet. */
const base64ish = fc.string({
  unit: fc.constantFrom(...'AQgwBCDEFaz09-_+/= .\u00e9'.split('')),
  maxLength: 90,
});

describe('envelope checkSealed', () => {
  it('when a value is hostile, then checkSealed refuses it exactly as decodeSealed does', () => {
    for (const [, value] of [...HOSTILE_NON_STRINGS, ...HOSTILE_SEALED_STRINGS]) sameAsDecode(value, 60, 60);
    for (const tail of ['bb2.AAAA', 'bb1.AB', 'bb1.AQ', 'bb1.AAB', 'bb1.AAE', 'bb1.A', 'bb1.AAAAA']) {
      sameAsDecode(tail, 1, 3);
    }
  });

  it('when values are random, then checkSealed and decodeSealed agree', () => {
    fc.assert(
      fc.property(base64ish, fc.integer({ min: 0, max: 40 }), fc.integer({ min: 0, max: 70 }), (t, a, b) =>
        sameAsDecode(`bb1.${t}`, Math.min(a, b), Math.max(a, b)),
      ),
      { numRuns: 2000 },
    );
  });

  it('when text is random, then base64urlLength accepts exactly what fromBase64url decodes', () => {
    fc.assert(
      fc.property(base64ish, (text) => {
        let expected: number;
        try {
          expected = fromBase64url(text).length;
        } catch {
          expected = -1;
        }
        assert.equal(base64urlLength(text), expected);
        assert.equal(base64urlLength(`xx${text}`, 2), expected);
      }),
      { numRuns: 3000 },
    );
  });
});
