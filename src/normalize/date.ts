/**
 * Calendar checks shared by `cn_rid` and `dob` in schema "cn-credit/1" (DESIGN §2): a birth date is
 * a real proleptic Gregorian date, not before 1900-01-01 and not after today. "Today" is the date in
 * China Standard Time (UTC+8), the schema's home zone, so a birth registered today in Beijing is
 * never rejected by a member whose clock runs on UTC.
 */

export const EARLIEST_BIRTH_DATE = '1900-01-01';

const CST_OFFSET_MS = 8 * 60 * 60 * 1000;

/** Gregorian leap-year rule: every 4th year, except centuries not divisible by 400. */
export function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

export function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

const DAY_MS = 24 * 60 * 60 * 1000;
// The formatted date is reused until the next China midnight: formatting it per value was a
// measurable share of normalizing a row.
let cached = { from: 0, until: 0, date: '' };

/** Today's date in China Standard Time as YYYY-MM-DD. */
export function todayInChina(nowMs: number = Date.now()): string {
  if (nowMs >= cached.from && nowMs < cached.until) return cached.date;
  const from = Math.floor((nowMs + CST_OFFSET_MS) / DAY_MS) * DAY_MS - CST_OFFSET_MS;
  cached = { from, until: from + DAY_MS, date: new Date(nowMs + CST_OFFSET_MS).toISOString().slice(0, 10) };
  return cached.date;
}

export type BirthDateProblem = 'not_a_date' | 'before_1900' | 'in_future';

/**
 * Returns the ISO date (YYYY-MM-DD) or the reason it is not an acceptable birth date. Integers are
 * expected; the callers parse them from fixed-width digit groups.
 */
export function checkBirthDate(
  year: number,
  month: number,
  day: number,
): { ok: true; iso: string } | { ok: false; problem: BirthDateProblem } {
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) {
    return { ok: false, problem: 'not_a_date' };
  }
  const iso = `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
  if (iso < EARLIEST_BIRTH_DATE) return { ok: false, problem: 'before_1900' };
  if (iso > todayInChina()) return { ok: false, problem: 'in_future' };
  return { ok: true, iso };
}

/** A message fragment for each problem, safe to show (it never contains the date itself). */
export const BIRTH_DATE_PROBLEM_TEXT: Record<BirthDateProblem, string> = {
  not_a_date: 'is not a real calendar date',
  before_1900: 'is before 1900-01-01',
  in_future: 'is after today',
};
