// Envelope bb1 parser against hostile input (DESIGN §3): every defect is ENVELOPE_MALFORMED or
// ENVELOPE_VERSION, raised before any decryption, and never pollutes a prototype.
import assert from 'node:assert/strict';
import { isBrokerError } from '../../src/errors.js';
import type { IdentifierType } from '../../src/normalize/schema.js';
import { openEnvelope, openGroup } from '../../src/envelope/open.js';
import { parseEnvelope } from '../../src/envelope/parse.js';
import { fromHex } from '../../src/util/bytes.js';
import vectors from '../vectors/envelope/bb1.json' with { type: 'json' };
import { HOSTILE_IDS, HOSTILE_NON_STRINGS, HOSTILE_SEALED_STRINGS } from './hostile-inputs.js';

const VALID = vectors.valid[0]!;
const PHONE = {
  type: 'phone' as IdentifierType,
  sealKey: fromHex(VALID.input.subjects.find((s) => s.type === 'phone')!.sealKey),
};

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function fresh(): Json {
  return JSON.parse(JSON.stringify(VALID.envelope)) as Json;
}

function assertCode(input: unknown, code: string, label: string): void {
  assert.throws(
    () => parseEnvelope(input),
    (err) => isBrokerError(err, code),
    label,
  );
  assert.throws(
    () => openEnvelope(input, PHONE),
    (err) => isBrokerError(err, code),
    label,
  );
}

const POSITIONS: readonly (readonly [string, (e: Json, value: unknown) => void])[] = [
  ['v', (e, value) => (e.v = value)],
  ['owner', (e, value) => (e.owner = value)],
  ['recordId', (e, value) => (e.recordId = value)],
  ['schema', (e, value) => (e.schema = value)],
  ['groups', (e, value) => (e.groups = value)],
  ['a group', (e, value) => (e.groups.status = value)],
  ['ct', (e, value) => (e.groups.status.ct = value)],
  ['slots', (e, value) => (e.groups.status.slots = value)],
  ['a slot', (e, value) => (e.groups.status.slots.phone = value)],
];

describe('parseEnvelope against hostile input', () => {
  for (const [name, value] of HOSTILE_NON_STRINGS) {
    it(`when the whole envelope is ${name}, then it throws ENVELOPE_MALFORMED`, () => {
      assertCode(value, 'ENVELOPE_MALFORMED', name);
    });

    it(`when any property is ${name}, then it throws ENVELOPE_MALFORMED`, () => {
      for (const [position, put] of POSITIONS) {
        const envelope = fresh();
        put(envelope, value);
        assertCode(envelope, 'ENVELOPE_MALFORMED', position);
      }
    });
  }

  for (const [name, value] of HOSTILE_SEALED_STRINGS) {
    it(`when a ct or a slot is ${name}, then it throws ENVELOPE_MALFORMED`, () => {
      for (const [position, put] of POSITIONS.slice(-3)) {
        if (position === 'slots') continue;
        const envelope = fresh();
        put(envelope, value);
        assertCode(envelope, 'ENVELOPE_MALFORMED', position);
      }
    });
  }

  for (const [name, value] of HOSTILE_IDS) {
    it(`when owner or recordId is ${name}, then it throws ENVELOPE_MALFORMED`, () => {
      for (const [position, put] of POSITIONS.slice(1, 3)) {
        const envelope = fresh();
        put(envelope, value);
        assertCode(envelope, 'ENVELOPE_MALFORMED', position);
      }
    });
  }

  it('when a version other than bb1 appears in v or a prefix, then it throws ENVELOPE_VERSION', () => {
    const envelope = fresh();
    envelope.v = 'bb2';
    assertCode(envelope, 'ENVELOPE_VERSION', 'v');
    for (const key of ['ct', 'slot']) {
      const e = fresh();
      if (key === 'ct') e.groups.status.ct = `bb2.${String(e.groups.status.ct).slice(4)}`;
      else e.groups.status.slots.phone = `bb10.${String(e.groups.status.slots.phone).slice(4)}`;
      assertCode(e, 'ENVELOPE_VERSION', key);
    }
  });

  it('when v is missing or not a version string, then it throws ENVELOPE_MALFORMED', () => {
    for (const v of [undefined, 'BB1', 'bb1 ', 'bbx', '']) {
      const envelope = fresh();
      envelope.v = v;
      assertCode(envelope, 'ENVELOPE_MALFORMED', String(v));
    }
  });

  it('when a property is missing or extra at any level, then it throws ENVELOPE_MALFORMED', () => {
    for (const key of ['v', 'owner', 'recordId', 'schema', 'groups']) {
      const envelope = fresh();
      delete envelope[key];
      if (key !== 'v') assertCode(envelope, 'ENVELOPE_MALFORMED', `missing ${key}`);
    }
    const cases: ((e: Json) => void)[] = [
      (e) => (e.extra = null),
      (e) => (e.groups.status.extra = 'x'),
      (e) => delete e.groups.status.slots,
      (e) => (e.groups.status.slots = {}),
      (e) => (e.groups.status.slots.passport = e.groups.status.slots.phone),
      (e) => (e.groups = {}),
    ];
    for (const change of cases) {
      const envelope = fresh();
      change(envelope);
      assertCode(envelope, 'ENVELOPE_MALFORMED', change.toString());
    }
  });

  it('when there are more than 16 groups, then it throws ENVELOPE_MALFORMED', () => {
    const envelope = fresh();
    for (let i = 0; i < 16; i++) envelope.groups[`g${i}`] = envelope.groups.status;
    assertCode(envelope, 'ENVELOPE_MALFORMED', 'groups');
  });

  it('when JSON carries a __proto__ key anywhere, then it is refused and no prototype changes', () => {
    const json = JSON.stringify(VALID.envelope);
    const texts = [
      json.replace('{"v"', '{"__proto__":{"polluted":1},"v"'),
      json.replace('"groups":{', '"groups":{"__proto__":{"polluted":1},'),
      json.replace('"slots":{', '"slots":{"__proto__":"bb1.AAAA",'),
    ];
    for (const text of texts) {
      assertCode(JSON.parse(text), 'ENVELOPE_MALFORMED', text.slice(0, 60));
    }
    assert.equal(({} as Json).polluted, undefined);
  });

  it('when a group named like an Object.prototype member is requested, then it is ENVELOPE_NO_GROUP', () => {
    for (const group of ['constructor', 'toString', 'hasOwnProperty', '__proto__']) {
      assert.throws(
        () => openGroup(VALID.envelope, group, PHONE),
        (err) => isBrokerError(err, 'ENVELOPE_NO_GROUP'),
        group,
      );
    }
  });

  it('when only some groups are requested, then only those are opened', () => {
    const opened = openEnvelope(VALID.envelope, PHONE, { groups: ['amounts'] });
    assert.deepEqual(Object.keys(opened.groups), ['amounts']);
    assert.deepEqual(opened.groups.amounts, VALID.input.groups.amounts);
  });

  it('when the envelope is valid, then parseEnvelope returns a copy detached from the input', () => {
    const input = fresh();
    const parsed = parseEnvelope(input);
    input.groups.status.ct = 'changed';
    assert.deepEqual(parsed, VALID.envelope);
  });
});
