/**
 * Frequency in calendar intervals (DESIGN §4): Asia/Shanghai (UTC+8) day, month and year keys,
 * and counting across day, month, year and leap-day boundaries.
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { ConsentBody } from '../../src/consent/artefact.js';
import { initialState } from '../../src/consent/lifecycle.js';
import type { Frequency } from '../../src/consent/purposes.js';
import { checkUsable, frequencyWithin, intervalKey, NO_USAGE, recordUse } from '../../src/consent/usage.js';
import type { ConsentUsage } from '../../src/consent/usage.js';
import { longConsent as long, useOf as use } from './fixture.js';

const at = (iso: string) => new Date(iso);

/** Uses the consent at each time in turn; returns the refusal code (or 'ok') of each. */
function runUses(body: ConsentBody, times: string[]): string[] {
  const state = initialState(body, true);
  let usage: ConsentUsage = NO_USAGE;
  return times.map((iso) => {
    try {
      checkUsable(body, state, usage, use(body, at(iso)));
      usage = recordUse(body, usage, at(iso));
      return 'ok';
    } catch (err) {
      return (err as { code: string }).code;
    }
  });
}

describe('consent/usage: calendar frequency', () => {
  describe('calendar intervals in Asia/Shanghai', () => {
    const cases: [string, string, string, string][] = [
      ['23:30 UTC is the next day in Shanghai', '2026-11-05T23:30:00Z', 'DAY', '2026-11-06'],
      ['15:59:59.999 UTC is still the same day', '2026-11-05T15:59:59.999Z', 'DAY', '2026-11-05'],
      ['16:00 UTC starts the next day', '2026-11-05T16:00:00Z', 'DAY', '2026-11-06'],
      ['month end', '2026-11-30T16:00:00Z', 'MONTH', '2026-12'],
      ['before month end', '2026-11-30T15:59:59Z', 'MONTH', '2026-11'],
      ['year end', '2026-12-31T16:00:00Z', 'YEAR', '2027'],
      ['before year end', '2026-12-31T15:59:59Z', 'YEAR', '2026'],
      ['leap day exists in 2028', '2028-02-28T16:00:00Z', 'DAY', '2028-02-29'],
      ['no leap day in 2027', '2027-02-28T16:00:00Z', 'DAY', '2027-03-01'],
      ['leap day is in February', '2028-02-29T12:00:00Z', 'MONTH', '2028-02'],
      ['century leap year 2000', '2000-02-28T20:00:00Z', 'DAY', '2000-02-29'],
    ];
    for (const [label, iso, unit, key] of cases) {
      it(`when ${label}, then ${unit} ${iso} is ${key}`, () => {
        assert.equal(intervalKey(unit as Frequency['unit'], at(iso)), key);
      });
    }

    it('when any instant is keyed, then DAY agrees with ICU for Asia/Shanghai', () => {
      const icu = new Intl.DateTimeFormat('en-CA', {
        timeZone: 'Asia/Shanghai',
        year: 'numeric',
        month: '2-digit',
        day: '2-digit',
      });
      fc.assert(
        fc.property(
          fc.date({ min: at('1992-01-01T00:00:00Z'), max: at('2199-12-31T00:00:00Z'), noInvalidDate: true }),
          (d) => {
            const day = intervalKey('DAY', d);
            assert.equal(day, icu.format(d));
            assert.equal(intervalKey('MONTH', d), day.slice(0, 7));
            assert.equal(intervalKey('YEAR', d), day.slice(0, 4));
          },
        ),
      );
    });

    it('when the date is invalid or not a Date, then RangeError / TypeError', () => {
      assert.throws(() => intervalKey('DAY', new Date(Number.NaN)), RangeError);
      assert.throws(() => intervalKey('DAY', '2026-11-05' as unknown as Date), TypeError);
      assert.throws(() => intervalKey('WEEK' as Frequency['unit'], new Date()), RangeError);
    });
  });

  describe('frequency counted per calendar interval', () => {
    it('when 2/MONTH is used across a Shanghai month end, then the new month starts afresh', () => {
      const body = long({ unit: 'MONTH', value: 2 });
      assert.deepEqual(
        runUses(body, [
          '2026-11-01T00:00:00Z',
          '2026-11-29T00:00:00Z',
          '2026-11-30T15:59:59Z',
          '2026-11-30T16:00:00Z',
          '2026-12-15T00:00:00Z',
          '2026-12-31T00:00:00Z',
        ]),
        ['ok', 'ok', 'CONSENT_FREQUENCY_EXCEEDED', 'ok', 'ok', 'CONSENT_FREQUENCY_EXCEEDED'],
      );
    });

    it('when 1/DAY is used at 15:00 and 23:30 UTC, then the second is the next Shanghai day', () => {
      const body = long({ unit: 'DAY', value: 1 });
      assert.deepEqual(
        runUses(body, ['2026-11-05T15:00:00Z', '2026-11-05T15:59:00Z', '2026-11-05T23:30:00Z']),
        ['ok', 'CONSENT_FREQUENCY_EXCEEDED', 'ok'],
      );
    });

    it('when 1/DAY is used around the leap day, then 28 Feb, 29 Feb and 1 Mar are three days', () => {
      const body = long({ unit: 'DAY', value: 1 });
      assert.deepEqual(
        runUses(body, [
          '2028-02-28T03:00:00Z',
          '2028-02-29T03:00:00Z',
          '2028-02-29T15:00:00Z',
          '2028-03-01T03:00:00Z',
        ]),
        ['ok', 'ok', 'CONSENT_FREQUENCY_EXCEEDED', 'ok'],
      );
    });

    it('when 1/YEAR is used on New Year’s Eve UTC, then 16:00 UTC is already next year', () => {
      const body = long({ unit: 'YEAR', value: 1 });
      assert.deepEqual(
        runUses(body, [
          '2026-06-01T00:00:00Z',
          '2026-12-31T15:59:59Z',
          '2026-12-31T16:00:00Z',
          '2027-06-01T00:00:00Z',
        ]),
        ['ok', 'CONSENT_FREQUENCY_EXCEEDED', 'ok', 'CONSENT_FREQUENCY_EXCEEDED'],
      );
    });

    it('when uses arrive at random times, then no interval ever holds more than the allowed count', () => {
      const instant = fc.integer({
        min: at('2026-01-01T00:00:00Z').getTime(),
        max: at('2028-12-30T00:00:00Z').getTime(),
      });
      const freq = fc.record({
        unit: fc.constantFrom('DAY', 'MONTH', 'YEAR' as const),
        value: fc.integer({ min: 1, max: 4 }),
      });
      fc.assert(
        fc.property(freq, fc.array(instant, { maxLength: 60 }), (frequency, times) => {
          const body = long(frequency);
          const sorted = times.sort((a, b) => a - b).map((t) => new Date(t).toISOString());
          const outcomes = runUses(body, sorted);
          const perInterval = new Map<string, number>();
          sorted.forEach((iso, i) => {
            const key = intervalKey(frequency.unit, at(iso));
            const before = perInterval.get(key) ?? 0;
            assert.equal(outcomes[i], before < frequency.value ? 'ok' : 'CONSENT_FREQUENCY_EXCEEDED');
            if (outcomes[i] === 'ok') perInterval.set(key, before + 1);
          });
        }),
      );
    });

    it('when usage is recorded, then total and last use are kept across intervals', () => {
      const body = long({ unit: 'MONTH', value: 5 });
      let usage = recordUse(body, NO_USAGE, at('2026-11-05T00:00:00Z'));
      usage = recordUse(body, usage, at('2026-12-05T00:00:00Z'));
      assert.deepEqual(usage, {
        interval: '2026-12',
        count: 1,
        total: 2,
        lastUsedAt: '2026-12-05T00:00:00.000Z',
      });
    });

    const within: [Frequency, Frequency, boolean][] = [
      [{ unit: 'MONTH', value: 5 }, { unit: 'MONTH', value: 5 }, true],
      [{ unit: 'DAY', value: 1 }, { unit: 'MONTH', value: 31 }, true],
      [{ unit: 'DAY', value: 1 }, { unit: 'MONTH', value: 30 }, false],
      [{ unit: 'DAY', value: 1 }, { unit: 'YEAR', value: 365 }, false],
      [{ unit: 'MONTH', value: 1 }, { unit: 'YEAR', value: 12 }, true],
      [{ unit: 'YEAR', value: 5 }, { unit: 'MONTH', value: 5 }, true],
      [{ unit: 'YEAR', value: 6 }, { unit: 'DAY', value: 5 }, false],
    ];
    for (const [f, max, ok] of within) {
      it(`when ${f.value}/${f.unit} is judged against ${max.value}/${max.unit}, then it is ${ok ? 'within' : 'too high'}`, () => {
        assert.equal(frequencyWithin(f, max), ok);
      });
    }
  });
});
