// sealRecord input checks (DESIGN §3): every caller mistake is ENVELOPE_BAD_FIELD naming the field,
// before anything is encrypted; bad keys are programmer errors (TypeError / RangeError).
import assert from 'node:assert/strict';
import { isBrokerError } from '../../src/errors.js';
import { SCHEMA } from '../../src/normalize/schema.js';
import { sealRecord } from '../../src/envelope/seal.js';
import type { SealRecordInput } from '../../src/envelope/seal.js';

const KEY = new Uint8Array(32).fill(1);
const BASE: SealRecordInput = {
  owner: 'tencent',
  recordId: 'loan-1',
  schema: SCHEMA,
  groups: { status: { status: 'active', overdue_days: 0 } },
  subjects: [{ type: 'phone', sealKey: KEY }],
};

function assertBadField(change: Partial<Record<keyof SealRecordInput, unknown>>, field: string): void {
  assert.throws(
    () => sealRecord({ ...BASE, ...change } as SealRecordInput),
    (err) => isBrokerError(err, 'ENVELOPE_BAD_FIELD') && err.field === field,
    Object.keys(change).join(','),
  );
}

describe('sealRecord inputs', () => {
  it('when owner, recordId or a group name contains "|", then it throws ENVELOPE_BAD_FIELD', () => {
    assertBadField({ owner: 'ten|cent' }, 'owner');
    assertBadField({ recordId: 'loan|1' }, 'recordId');
    assertBadField({ groups: { 'st|atus': { a: 1 } } }, 'groups');
  });

  it('when owner or recordId is empty, too long or not a string, then it throws ENVELOPE_BAD_FIELD', () => {
    for (const value of ['', 'x'.repeat(129), 7, null]) {
      assertBadField({ owner: value }, 'owner');
      assertBadField({ recordId: value }, 'recordId');
    }
  });

  it('when the schema is not cn-credit/1, then it throws ENVELOPE_BAD_FIELD', () => {
    assertBadField({ schema: 'cn-credit/2' }, 'schema');
  });

  it('when there is no subject, then it throws ENVELOPE_BAD_FIELD', () => {
    assertBadField({ subjects: [] }, 'subjects');
    assertBadField({ subjects: undefined }, 'subjects');
  });

  it('when a subject type is unknown or repeated, then it throws ENVELOPE_BAD_FIELD', () => {
    assertBadField({ subjects: [{ type: 'passport', sealKey: KEY }] }, 'subjects');
    assertBadField({ subjects: [null] }, 'subjects');
    assertBadField(
      {
        subjects: [
          { type: 'phone', sealKey: KEY },
          { type: 'phone', sealKey: KEY },
        ],
      },
      'subjects',
    );
  });

  it('when a sealKey is not 32 bytes, then it throws RangeError or TypeError', () => {
    assert.throws(
      () => sealRecord({ ...BASE, subjects: [{ type: 'phone', sealKey: new Uint8Array(16) }] }),
      RangeError,
    );
    const notBytes = 'k'.repeat(32) as unknown as Uint8Array;
    assert.throws(() => sealRecord({ ...BASE, subjects: [{ type: 'phone', sealKey: notBytes }] }), TypeError);
  });

  it('when group names break the pattern or there are none or too many, then it throws ENVELOPE_BAD_FIELD', () => {
    for (const name of ['Status', '1st', '_x', '', 'a'.repeat(33), '__proto__', 'a-b']) {
      assertBadField({ groups: { [name]: { a: 1 } } }, 'groups');
    }
    assertBadField({ groups: {} }, 'groups');
    assertBadField(
      { groups: Object.fromEntries(Array.from({ length: 17 }, (_, i) => [`g${i}`, {}])) },
      'groups',
    );
    assertBadField({ groups: [] }, 'groups');
  });

  it('when a field value is not a string, finite number or null, then it throws naming the field', () => {
    for (const value of [Number.NaN, Number.POSITIVE_INFINITY, true, undefined, {}, [], 1n, () => 0]) {
      assertBadField({ groups: { status: { overdue: value as never } } }, 'groups.status.overdue');
    }
  });

  it('when a field name breaks the pattern, then it throws naming the field', () => {
    for (const name of ['__proto__', 'toJSON ', '1a', 'a-b', 'a'.repeat(65)]) {
      assertBadField(
        { groups: { status: JSON.parse(JSON.stringify({ [name]: 1 })) as never } },
        `groups.status.${name}`,
      );
    }
  });

  it('when a group exceeds 16 KiB of JSON, then it throws ENVELOPE_BAD_FIELD', () => {
    assertBadField({ groups: { status: { note: 'x'.repeat(16 * 1024) } } }, 'groups.status');
  });

  it('when the input is valid, then the envelope names its owner, record and schema in clear', () => {
    const envelope = sealRecord(BASE);
    assert.equal(envelope.v, 'bb1');
    assert.equal(envelope.owner, 'tencent');
    assert.equal(envelope.recordId, 'loan-1');
    assert.equal(envelope.schema, SCHEMA);
    assert.deepEqual(Object.keys(envelope.groups.status!.slots), ['phone']);
  });
});
