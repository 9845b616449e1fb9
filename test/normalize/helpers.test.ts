// Check-character helpers and the birth-date window of schema "cn-credit/1" (DESIGN §2).
import assert from 'node:assert/strict';
import { isBrokerError } from '../../src/errors.js';
import { isLeapYear, todayInChina } from '../../src/normalize/date.js';
import {
  birthDateOfResidentId,
  isIdentifierType,
  normalizeIdentifier,
  residentIdCheckChar,
  usccCheckChar,
} from '../../src/normalize/index.js';

function shiftDays(iso: string, days: number): string {
  return new Date(Date.parse(`${iso}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

describe('normalize helpers', () => {
  it('when the GB 11643 sample body is given, then the check char is X', () => {
    assert.equal(residentIdCheckChar('11010519491231002'), 'X');
  });

  it('when the GB 32100 worked example body is given, then the check char is 3', () => {
    assert.equal(usccCheckChar('91350100M000100Y4'), '3');
    assert.equal(usccCheckChar('91440300708461136'), 'T');
  });

  it('when a helper gets a malformed body, then it throws the format code', () => {
    for (const bad of ['1101051949123100', '1101051949123100X', '１１０１０５１９４９１２３１００２']) {
      assert.throws(
        () => residentIdCheckChar(bad),
        (err: unknown) => isBrokerError(err, 'RID_FORMAT'),
      );
    }
    assert.throws(
      () => usccCheckChar('91350100I000100Y4'),
      (err: unknown) => isBrokerError(err, 'USCC_FORMAT'),
    );
    assert.throws(
      () => birthDateOfResidentId('110105491231002'),
      (err: unknown) => isBrokerError(err, 'RID_FORMAT'),
    );
  });

  it('when a normalized ID is given, then its birth date is read as YYYY-MM-DD', () => {
    assert.equal(birthDateOfResidentId('11010519491231002X'), '1949-12-31');
  });

  it('when years follow the Gregorian rule, then 1900 is common and 2000, 1996 are leap', () => {
    assert.deepEqual([1900, 2000, 1996, 2001, 2100].map(isLeapYear), [false, true, true, false, false]);
  });

  it('when it is 17:00 UTC, then today in China is already the next date', () => {
    assert.equal(todayInChina(Date.parse('2024-01-01T17:00:00Z')), '2024-01-02');
    assert.equal(todayInChina(Date.parse('2024-01-01T15:59:59Z')), '2024-01-01');
  });

  it('when a birth date is today, then it is accepted, and tomorrow is rejected', () => {
    const today = todayInChina();
    const tomorrow = shiftDays(today, 1);
    assert.equal(normalizeIdentifier('dob', today), today);
    assert.throws(
      () => normalizeIdentifier('dob', tomorrow),
      (err: unknown) => isBrokerError(err, 'DOB_DATE'),
    );
    const body = `110105${tomorrow.replace(/-/g, '')}001`;
    assert.throws(
      () => normalizeIdentifier('cn_rid', body + residentIdCheckChar(body)),
      (err: unknown) => isBrokerError(err, 'RID_DATE'),
    );
  });

  it('when a string is tested as an identifier type, then only the six schema types pass', () => {
    assert.ok(isIdentifierType('cn_rid') && isIdentifierType('email'));
    for (const x of ['passport', '__proto__', 'CN_RID', '', 1, null]) assert.ok(!isIdentifierType(x));
  });
});
