// Envelope bb1 properties (DESIGN §3): round trip, any one identifier opens, and every change to a
// ciphertext, a slot or the bound context fails authentication (AES-256-GCM, NIST SP 800-38D).
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { isBrokerError } from '../../src/errors.js';
import { IDENTIFIER_TYPES, SCHEMA } from '../../src/normalize/schema.js';
import type { IdentifierType } from '../../src/normalize/schema.js';
import type { Envelope } from '../../src/envelope/format.js';
import { openEnvelope, openGroup } from '../../src/envelope/open.js';
import { sealRecord } from '../../src/envelope/seal.js';
import type { SealSubject } from '../../src/envelope/seal.js';
import { fromBase64url, toBase64url } from '../../src/util/bytes.js';

const BAD_ID_CHAR = /[|\p{Cc}]|\p{Cs}/u;
const idArb = fc.string({ minLength: 1, maxLength: 24, unit: 'binary' }).filter((s) => !BAD_ID_CHAR.test(s));
const valueArb = fc.oneof(
  fc.string({ maxLength: 30, unit: 'grapheme' }),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }).filter((x) => !Object.is(x, -0)),
  fc.constant(null),
);
const fieldsArb = fc.dictionary(fc.stringMatching(/^[A-Za-z][A-Za-z0-9_]{0,10}$/), valueArb, {
  maxKeys: 5,
  noNullPrototype: true,
});
const groupsArb = fc.dictionary(fc.stringMatching(/^[a-z][a-z0-9_]{0,8}$/), fieldsArb, {
  minKeys: 1,
  maxKeys: 3,
  noNullPrototype: true,
});
const subjectsArb = fc
  .subarray([...IDENTIFIER_TYPES], { minLength: 1 })
  .chain((types) =>
    fc.tuple(
      ...types.map((type) =>
        fc.uint8Array({ minLength: 32, maxLength: 32 }).map((sealKey) => ({ type, sealKey })),
      ),
    ),
  );
const recordArb = fc.record({ owner: idArb, recordId: idArb, groups: groupsArb, subjects: subjectsArb });

type Input = {
  owner: string;
  recordId: string;
  groups: Record<string, Record<string, string | number | null>>;
  subjects: SealSubject[];
};

function seal(input: Input): Envelope {
  return sealRecord({ ...input, schema: SCHEMA });
}

function throwsCode(fn: () => unknown, code: string): void {
  assert.throws(fn, (err) => isBrokerError(err, code));
}

function flipBit(sealed: string, bit: number): string {
  const bytes = fromBase64url(sealed.slice(4));
  const index = bit % (bytes.length * 8);
  bytes[index >> 3] = (bytes[index >> 3] ?? 0) ^ (1 << (index & 7));
  return `bb1.${toBase64url(bytes)}`;
}

const clone = (envelope: Envelope): Envelope => structuredClone(envelope);

describe('envelope bb1 properties', () => {
  it('when any record is sealed, then opening with the sealKey of any one identifier returns it', () => {
    fc.assert(
      fc.property(recordArb, fc.nat(), (input, pick) => {
        const envelope = seal(input);
        const subject = input.subjects[pick % input.subjects.length]!;
        assert.deepEqual(openEnvelope(JSON.parse(JSON.stringify(envelope)), subject), {
          owner: input.owner,
          recordId: input.recordId,
          schema: SCHEMA,
          groups: input.groups,
        });
      }),
    );
  });

  it('when any single bit of a ct or a slot is flipped, then that group fails with ENVELOPE_DECRYPT', () => {
    fc.assert(
      fc.property(recordArb, fc.nat(), fc.nat(), fc.nat(), (input, pickGroup, pickPart, bit) => {
        const envelope = seal(input);
        const names = Object.keys(envelope.groups);
        const group = names[pickGroup % names.length]!;
        const parts = ['ct', ...input.subjects.map((s) => s.type)];
        const part = parts[pickPart % parts.length]!;
        const tampered = clone(envelope);
        const sealed = tampered.groups[group]!;
        const subject = input.subjects.find((s) => s.type === part) ?? input.subjects[0]!;
        if (part === 'ct') sealed.ct = flipBit(sealed.ct, bit);
        else sealed.slots[part as IdentifierType] = flipBit(sealed.slots[part as IdentifierType]!, bit);
        throwsCode(() => openGroup(tampered, group, subject), 'ENVELOPE_DECRYPT');
      }),
      { numRuns: 200 },
    );
  });

  it('when owner or recordId is changed, then every group fails with ENVELOPE_DECRYPT', () => {
    fc.assert(
      fc.property(
        recordArb,
        fc.constantFrom('owner', 'recordId') as fc.Arbitrary<'owner' | 'recordId'>,
        (input, key) => {
          const tampered = clone(seal(input));
          tampered[key] = `${tampered[key]}x`;
          for (const group of Object.keys(tampered.groups)) {
            throwsCode(() => openGroup(tampered, group, input.subjects[0]!), 'ENVELOPE_DECRYPT');
          }
        },
      ),
    );
  });

  it('when a group is moved under another name, then it fails with ENVELOPE_DECRYPT', () => {
    fc.assert(
      fc.property(recordArb, (input) => {
        const envelope = seal(input);
        const [first] = Object.keys(envelope.groups);
        const tampered = clone(envelope);
        tampered.groups = { moved_group: envelope.groups[first!]! };
        throwsCode(() => openGroup(tampered, 'moved_group', input.subjects[0]!), 'ENVELOPE_DECRYPT');
      }),
    );
  });

  it('when the schema is changed, then the envelope is refused before decryption', () => {
    fc.assert(
      fc.property(recordArb, fc.string(), (input, schema) => {
        fc.pre(schema !== SCHEMA);
        const tampered = { ...seal(input), schema };
        throwsCode(() => openEnvelope(tampered, input.subjects[0]!), 'ENVELOPE_MALFORMED');
      }),
      { numRuns: 30 },
    );
  });

  it('when a ct, a slot or a whole group is swapped between two records under the same keys, then it fails', () => {
    fc.assert(
      fc.property(recordArb, idArb, fc.constantFrom('ct', 'slot', 'group'), (input, otherId, what) => {
        fc.pre(otherId !== input.recordId);
        const a = seal(input);
        const b = seal({ ...input, recordId: otherId });
        const group = Object.keys(a.groups)[0]!;
        const subject = input.subjects[0]!;
        const tampered = clone(a);
        const target = tampered.groups[group]!;
        const source = b.groups[group]!;
        if (what === 'ct') target.ct = source.ct;
        if (what === 'slot') target.slots[subject.type] = source.slots[subject.type]!;
        if (what === 'group') tampered.groups[group] = source;
        throwsCode(() => openGroup(tampered, group, subject), 'ENVELOPE_DECRYPT');
      }),
    );
  });

  it('when opened with a wrong sealKey, or a slot of type A is presented as type B, then it fails', () => {
    fc.assert(
      fc.property(recordArb, fc.uint8Array({ minLength: 32, maxLength: 32 }), (input, wrongKey) => {
        const envelope = seal(input);
        const group = Object.keys(envelope.groups)[0]!;
        const [a, b] = input.subjects;
        throwsCode(
          () => openGroup(envelope, group, { type: a!.type, sealKey: wrongKey }),
          'ENVELOPE_DECRYPT',
        );
        if (b === undefined) return;
        const tampered = clone(envelope);
        tampered.groups[group]!.slots[b.type] = envelope.groups[group]!.slots[a!.type]!;
        throwsCode(
          () => openGroup(tampered, group, { type: b.type, sealKey: a!.sealKey }),
          'ENVELOPE_DECRYPT',
        );
        throwsCode(() => openGroup(tampered, group, b), 'ENVELOPE_DECRYPT');
      }),
    );
  });

  it('when a record is sealed twice, then data keys and nonces differ (no ciphertext repeats)', () => {
    fc.assert(
      fc.property(recordArb, (input) => {
        const a = seal(input);
        const b = seal(input);
        for (const [group, sealed] of Object.entries(a.groups)) {
          assert.notEqual(sealed.ct, b.groups[group]!.ct);
          for (const subject of input.subjects) {
            assert.notEqual(sealed.slots[subject.type], b.groups[group]!.slots[subject.type]);
          }
        }
      }),
      { numRuns: 30 },
    );
  });
});
