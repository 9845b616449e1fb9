// Envelope bb1 vectors (DESIGN §3; docs/formats.md "Envelope bb1"): exact sealing from fixed
// randomness, opening with every subject, and tampered envelopes with their expected codes.
import assert from 'node:assert/strict';
import { isBrokerError } from '../../src/errors.js';
import type { IdentifierType } from '../../src/normalize/schema.js';
import { openEnvelope } from '../../src/envelope/open.js';
import { parseEnvelope } from '../../src/envelope/parse.js';
import { sealRecord } from '../../src/envelope/seal.js';
import type { SealRecordInput } from '../../src/envelope/seal.js';
import { fromHex } from '../../src/util/bytes.js';
import vectors from '../vectors/envelope/bb1.json' with { type: 'json' };

function subjectOf(s: { type: string; sealKey: string }) {
  return { type: s.type as IdentifierType, sealKey: fromHex(s.sealKey) };
}

function replay(draws: readonly string[]): (length: number) => Uint8Array {
  let next = 0;
  return (length) => {
    const value = fromHex(draws[next++] ?? '');
    assert.equal(value.length, length, 'random draw has the expected length');
    return value;
  };
}

const PARSE_CODES = new Set(['ENVELOPE_MALFORMED', 'ENVELOPE_VERSION']);

describe('envelope bb1 vectors', () => {
  for (const v of vectors.valid) {
    it(`when sealing "${v.description}" with the listed randomness, then the envelope is exact`, () => {
      const envelope = sealRecord(
        {
          ...v.input,
          groups: v.input.groups as unknown as SealRecordInput['groups'],
          subjects: v.input.subjects.map(subjectOf),
        },
        { random: replay(v.random) },
      );
      assert.deepEqual(envelope, v.envelope);
      assert.deepEqual(parseEnvelope(v.envelope), v.envelope);
    });

    it(`when opening "${v.description}" with each subject, then the groups come back`, () => {
      for (const subject of v.input.subjects) {
        const opened = openEnvelope(v.envelope, subjectOf(subject));
        assert.deepEqual(opened, {
          owner: v.input.owner,
          recordId: v.input.recordId,
          schema: v.input.schema,
          groups: v.input.groups,
        });
      }
    });
  }

  for (const v of vectors.invalid) {
    it(`when the envelope is bad (${v.description}), then opening throws ${v.code}`, () => {
      assert.throws(
        () => openEnvelope(v.envelope, subjectOf(v.open)),
        (err) => isBrokerError(err, v.code),
      );
      if (PARSE_CODES.has(v.code)) {
        assert.throws(
          () => parseEnvelope(v.envelope),
          (err) => isBrokerError(err, v.code),
        );
      } else {
        assert.doesNotThrow(() => parseEnvelope(v.envelope));
      }
    });
  }
});
