/** RFC 8785 JCS behind a strict guard: RFC vectors, key-order independence, hostile values. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { isBrokerError } from '../../src/errors.js';
import { canonicalBytes, canonicalJson } from '../../src/signing/jcs.js';
import { fromUtf8 } from '../../src/util/bytes.js';
import { HOSTILE_STRINGS } from '../fixtures/hostile.js';
import { ACCEPTED_JSON, REFUSED_JSON } from './hostile-json.js';

interface Vectors {
  valid: { name: string; input: string; output: string }[];
  numbers: { ieee754: string; output: string }[];
  invalid: { name: string; input: string }[];
}

const vectors = JSON.parse(
  readFileSync(new URL('../vectors/signing/jcs.json', import.meta.url), 'utf8'),
) as Vectors;

function fromIeee754(hex: string): number {
  return new DataView(new Uint8Array(Buffer.from(hex, 'hex')).buffer).getFloat64(0);
}

describe('signing/jcs', () => {
  for (const v of vectors.valid) {
    it(`when canonicalizing ${v.name}, then the output matches RFC 8785`, () => {
      assert.equal(canonicalJson(JSON.parse(v.input)), v.output);
      assert.equal(fromUtf8(canonicalBytes(JSON.parse(v.input))), v.output);
    });
  }

  it('when canonicalizing the RFC 8785 Appendix B numbers, then each serializes as listed', () => {
    for (const { ieee754, output } of vectors.numbers) {
      assert.equal(canonicalJson(fromIeee754(ieee754)), output, ieee754);
    }
  });

  for (const v of vectors.invalid) {
    it(`when the input has a ${v.name}, then it is refused with SIG_MALFORMED`, () => {
      assert.throws(
        () => canonicalJson(JSON.parse(v.input)),
        (err) => isBrokerError(err, 'SIG_MALFORMED'),
      );
    });
  }

  it('when the same object is built in two key orders, then the canonical bytes are equal', () => {
    const a = { z: 1, a: { y: [1, { q: 1, p: 2 }], x: 'é' } };
    const b = { a: { x: 'é', y: [1, { p: 2, q: 1 }] }, z: 1 };
    assert.deepEqual(canonicalBytes(a), canonicalBytes(b));
  });

  for (const h of REFUSED_JSON) {
    it(`when the value holds ${h.label}, then it is refused with SIG_MALFORMED`, () => {
      assert.throws(
        () => canonicalJson(h.value()),
        (err) => isBrokerError(err, 'SIG_MALFORMED'),
      );
    });
  }

  for (const h of ACCEPTED_JSON) {
    it(`when the value holds ${h.label}, then it canonicalizes to JSON that parses back`, () => {
      const text = canonicalJson(h.value());
      assert.equal(canonicalJson(JSON.parse(text)), text);
    });
  }

  it('when the __proto__ key is canonicalized, then it stays data and pollutes nothing', () => {
    const text = canonicalJson(JSON.parse('{"b": 1, "__proto__": {"polluted": true}}'));
    assert.equal(text, '{"__proto__":{"polluted":true},"b":1}');
    assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
  });

  it('when given each shared hostile string, then it canonicalizes or is refused with SIG_MALFORMED', () => {
    for (const { label, value } of HOSTILE_STRINGS) {
      try {
        assert.equal(JSON.parse(canonicalJson({ [value.slice(0, 64)]: value })) !== null, true, label);
      } catch (err) {
        assert.ok(isBrokerError(err, 'SIG_MALFORMED'), label);
      }
    }
  });
});
