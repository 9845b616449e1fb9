/**
 * Using a consent (DESIGN §4, §6): the one check that every match and screen job runs when it runs
 * (a queued job can outlive a revocation) and that the auditor replays over the log. Pure and
 * deterministic: everything it depends on, including the clock, is an argument.
 *
 * Frequency counts CALENDAR intervals (a day, a month, a year), not sliding windows, in one fixed
 * timezone for the whole consortium: Asia/Shanghai, UTC+8, which has had no daylight saving since
 * 1991. So 2026-11-30T16:30:00Z is already 2026-12-01 for a DAY or MONTH consent, and a borrower's
 * "once a month" means once per month on the calendar the borrower and the lender live by.
 */
import { BrokerError } from '../errors.js';
import type { ConsentBody } from './artefact.js';
import { consentStatus } from './lifecycle.js';
import type { ConsentState } from './lifecycle.js';
import { MS_PER_DAY } from './instant.js';
import type { Frequency, FrequencyUnit } from './purposes.js';

export const USAGE_TIMEZONE = 'Asia/Shanghai';
const USAGE_OFFSET_MS = 8 * 3_600_000;

/**
 * The calendar interval of `at` in Asia/Shanghai: `2026-11-05` (DAY), `2026-11` (MONTH), `2026`
 * (YEAR). Throws TypeError for a non-Date, RangeError for an invalid Date or unknown unit.
 */
export function intervalKey(unit: FrequencyUnit, at: Date): string {
  if (!(at instanceof Date)) throw new TypeError('at must be a Date');
  const ms = at.getTime();
  if (Number.isNaN(ms)) throw new RangeError('at is an invalid Date');
  // The key is a function of (unit, local calendar day): an auditor replaying a million uses asks
  // for the same day over and over, and toISOString is most of the cost, so the last answer is kept.
  const day = Math.floor((ms + USAGE_OFFSET_MS) / MS_PER_DAY);
  if (unit === lastInterval.unit && day === lastInterval.day) return lastInterval.key;
  const local = new Date(ms + USAGE_OFFSET_MS).toISOString();
  let key: string;
  switch (unit) {
    case 'DAY':
      key = local.slice(0, 10);
      break;
    case 'MONTH':
      key = local.slice(0, 7);
      break;
    case 'YEAR':
      key = local.slice(0, 4);
      break;
    default:
      throw new RangeError(`unknown frequency unit ${String(unit)}`);
  }
  lastInterval = { unit, day, key };
  return key;
}

let lastInterval: { unit: FrequencyUnit | undefined; day: number; key: string } = {
  unit: undefined,
  day: Number.NaN,
  key: '',
};

const RANK: Readonly<Record<FrequencyUnit, number>> = { DAY: 0, MONTH: 1, YEAR: 2 };
/** The most intervals of the finer unit one interval of the coarser unit can hold. */
const MOST_INTERVALS: Readonly<Record<string, number>> = {
  'DAY/MONTH': 31,
  'DAY/YEAR': 366,
  'MONTH/YEAR': 12,
};

/**
 * The most uses `frequency` allows within one calendar interval of `unit`: value × 31 for DAY in
 * a MONTH; but only `value` for YEAR in a MONTH, because all of a year's uses may fall in one month.
 */
export function mostUsesPer(frequency: Frequency, unit: FrequencyUnit): number {
  if (RANK[frequency.unit] >= RANK[unit]) return frequency.value;
  return frequency.value * (MOST_INTERVALS[`${frequency.unit}/${unit}`] ?? 1);
}

/** True when `frequency` never allows more uses in an interval of `max.unit` than `max` does. */
export function frequencyWithin(frequency: Frequency, max: Frequency): boolean {
  return mostUsesPer(frequency, max.unit) <= max.value;
}

/** How often a consent was used: `count` uses in calendar interval `interval` (of its unit). */
export interface ConsentUsage {
  interval: string | null;
  count: number;
  total: number;
  lastUsedAt: string | null;
}

export const NO_USAGE: ConsentUsage = Object.freeze({ interval: null, count: 0, total: 0, lastUsedAt: null });

/** Uses already made in the interval that contains `now`. Throws RangeError for an invalid Date. */
export function usesInInterval(consent: ConsentBody, usage: ConsentUsage, now: Date): number {
  return usage.interval === intervalKey(consent.frequency.unit, now) ? usage.count : 0;
}

/**
 * The usage after one more use at `now` (the caller stores it once the use is logged). Throws
 * RangeError for an invalid Date.
 */
export function recordUse(consent: ConsentBody, usage: ConsentUsage, now: Date): ConsentUsage {
  return {
    interval: intervalKey(consent.frequency.unit, now),
    count: usesInInterval(consent, usage, now) + 1,
    total: usage.total + 1,
    lastUsedAt: now.toISOString(),
  };
}

export interface UseRequest {
  now: Date;
  /** The member asking (the TLS caller of the query). */
  requester: string;
  purpose: string;
  requestedGroups: readonly string[];
  /** The owner whose records would be released; omitted when checking before owners are known. */
  sourceOwner?: string;
}

export interface UsableConsent {
  interval: string;
  /** Uses left in `interval` before this one. */
  usesLeft: number;
}

function refuse(code: string, message: string, details: Record<string, unknown>, hint?: string): never {
  throw new BrokerError(code, message, { details, ...(hint === undefined ? {} : { hint }) });
}

/**
 * Decides whether one use of a consent is allowed now. The checks run in a fixed order, and the
 * requester check comes right after existence, so a member never learns the state of a consent
 * that is not its own.
 * @throws BrokerError CONSENT_NOT_FOUND, CONSENT_WRONG_REQUESTER, CONSENT_NOT_SEQUENCED,
 * CONSENT_REVOKED, CONSENT_EXPIRED, CONSENT_PAUSED, CONSENT_NOT_STARTED, CONSENT_WRONG_PURPOSE,
 * CONSENT_GROUP_NOT_COVERED, CONSENT_SOURCE_NOT_COVERED, CONSENT_FREQUENCY_EXCEEDED;
 * RangeError for an invalid `now`
 */
export function checkUsable(
  consent: ConsentBody | undefined,
  state: ConsentState | undefined,
  usage: ConsentUsage | undefined,
  request: UseRequest,
): UsableConsent {
  const { now } = request;
  const interval = consent === undefined ? '' : intervalKey(consent.frequency.unit, now);
  if (consent === undefined || state === undefined || state.consentId !== consent.consentId) {
    refuse('CONSENT_NOT_FOUND', 'no such consent', {}, 'grant the consent first');
  }
  const { consentId } = consent;
  if (request.requester !== consent.requester) {
    refuse('CONSENT_WRONG_REQUESTER', 'the consent was granted to another member', { consentId });
  }
  if (!state.sequenced) {
    refuse(
      'CONSENT_NOT_SEQUENCED',
      'the consent is not yet in a signed checkpoint',
      { consentId },
      'retry shortly',
    );
  }
  const status = consentStatus(state, now);
  if (status === 'REVOKED') refuse('CONSENT_REVOKED', 'the consent was revoked', { consentId });
  if (status === 'EXPIRED') {
    refuse('CONSENT_EXPIRED', 'the consent has expired', { consentId, consentExpiry: consent.consentExpiry });
  }
  if (status === 'PAUSED')
    refuse('CONSENT_PAUSED', 'the consent is paused', { consentId }, 'resume it first');
  if (now.getTime() < Date.parse(consent.consentStart)) {
    refuse('CONSENT_NOT_STARTED', 'the consent has not started', {
      consentId,
      consentStart: consent.consentStart,
    });
  }
  if (request.purpose !== consent.purpose) {
    refuse('CONSENT_WRONG_PURPOSE', `the consent is for ${consent.purpose}`, {
      consentId,
      purpose: consent.purpose,
      requested: request.purpose,
    });
  }
  const uncovered = request.requestedGroups.filter((g) => !consent.dataGroups.includes(g));
  if (uncovered.length > 0) {
    refuse('CONSENT_GROUP_NOT_COVERED', `the consent does not cover ${uncovered.join(', ')}`, {
      consentId,
      groups: uncovered,
      dataGroups: consent.dataGroups,
    });
  }
  const owner = request.sourceOwner;
  if (owner !== undefined && consent.sources !== '*' && !consent.sources.includes(owner)) {
    refuse('CONSENT_SOURCE_NOT_COVERED', `the consent does not cover data of ${owner}`, { consentId, owner });
  }
  const used = usesInInterval(consent, usage ?? NO_USAGE, now);
  if (used >= consent.frequency.value) {
    refuse(
      'CONSENT_FREQUENCY_EXCEEDED',
      `the consent allows ${consent.frequency.value} use(s) per ${consent.frequency.unit}`,
      { consentId, frequency: consent.frequency, interval, used },
      `wait for the next ${consent.frequency.unit} in ${USAGE_TIMEZONE}`,
    );
  }
  return { interval, usesLeft: consent.frequency.value - used };
}
