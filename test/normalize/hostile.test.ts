// Hostile inputs against every normalizer of schema "cn-credit/1" (DESIGN §2; STYLE.md malformed suites).
import assert from 'node:assert/strict';
import { isBrokerError } from '../../src/errors.js';
import {
  IDENTIFIER_TYPES,
  MAX_RAW_LENGTH,
  NORMALIZERS,
  NORMALIZE_ERROR_CODES,
  normalizeIdentifier,
} from '../../src/normalize/index.js';
import { fromUtf8 } from '../../src/util/bytes.js';
import { HOSTILE_STRINGS, INVALID_UTF8_BYTES } from '../fixtures/hostile.js';

const SLOW_MS = 50;

function outcome(run: () => string | null, allowed: readonly string[], raw: string): void {
  const started = performance.now();
  try {
    const out = run();
    assert.ok(out === null || typeof out === 'string');
  } catch (err) {
    assert.ok(isBrokerError(err), `threw a non-BrokerError: ${String(err)}`);
    assert.ok(allowed.includes(err.code), `undocumented code ${err.code}`);
    if (raw.length >= 6) assert.ok(!err.message.includes(raw), 'message echoes the raw value');
  }
  assert.ok(performance.now() - started < SLOW_MS, `took over ${SLOW_MS} ms`);
}

describe('normalize: hostile inputs', () => {
  for (const type of IDENTIFIER_TYPES) {
    it(`when every hostile string is given as a ${type}, then each returns or throws a documented code, quickly`, () => {
      for (const { label, value } of HOSTILE_STRINGS) {
        assert.doesNotThrow(() => {
          outcome(() => normalizeIdentifier(type, value), NORMALIZE_ERROR_CODES[type], value);
          outcome(() => NORMALIZERS[type](value), NORMALIZE_ERROR_CODES[type], value);
        }, label);
      }
    });

    it(`when a 1 MiB ${type} arrives, then it is rejected with FIELD_TOO_LONG before any other work`, () => {
      const huge = '\u0000'.repeat(1 << 20);
      const started = performance.now();
      assert.throws(
        () => normalizeIdentifier(type, huge),
        (err: unknown) => isBrokerError(err, 'FIELD_TOO_LONG') && err.field === type,
      );
      assert.ok(performance.now() - started < 5);
    });
  }

  it('when a value is exactly the length limit, then it passes the length guard', () => {
    assert.throws(
      () => normalizeIdentifier('phone', '1'.repeat(MAX_RAW_LENGTH)),
      (err: unknown) => isBrokerError(err, 'PHONE_INVALID'),
    );
  });

  const encodingCases: [string, string][] = [
    ['lone surrogate', '1380013\uD8008000'],
    ['U+FFFD', '1380013\uFFFD8000'],
    ['NUL', '1380013\u00008000'],
    ['C1 control', '1380013\u00858000'],
    ['bidi override', '\u202E13800138000'],
    ['bidi isolate', '\u206613800138000\u2069'],
    ['zero-width space', '1380013\u200B8000'],
    ['zero-width joiner', '1380013\u200D8000'],
    ['BOM', '\uFEFF13800138000'],
  ];
  for (const [what, raw] of encodingCases) {
    it(`when a value holds a ${what}, then every type rejects it with FIELD_ENCODING`, () => {
      for (const type of IDENTIFIER_TYPES) {
        assert.throws(
          () => normalizeIdentifier(type, raw),
          (err: unknown) =>
            isBrokerError(err, 'FIELD_ENCODING') && typeof err.details?.['codePoint'] === 'string',
        );
      }
    });
  }

  it('when invalid UTF-8 bytes are decoded, then the strict decoder refuses and the lenient one yields FIELD_ENCODING', () => {
    const lenient = new TextDecoder('utf-8', { fatal: false });
    for (const bytes of INVALID_UTF8_BYTES) {
      assert.throws(
        () => fromUtf8(bytes),
        (err: unknown) => isBrokerError(err, 'BAD_UTF8'),
      );
      const decoded = lenient.decode(bytes);
      for (const type of IDENTIFIER_TYPES) {
        assert.throws(
          () => normalizeIdentifier(type, decoded),
          (err: unknown) => isBrokerError(err, 'FIELD_ENCODING'),
        );
      }
    }
  });
});
