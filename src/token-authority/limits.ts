/**
 * Per-member admission for OPRF evaluations (DESIGN §2: "rate-limited per member"; RFC 9497 §7.2
 * notes that an OPRF server's evaluations are an oracle, so their number is what bounds a member's
 * dictionary search). Two limits, both counted in elements, not requests:
 * - a token bucket (rate per second, burst) that smooths bursts;
 * - a daily quota per UTC day, checked against the persisted counters so a restart resets nothing.
 * Refusals carry `details.retryAfterSeconds`, which the HTTP adapter turns into Retry-After.
 */
import { BrokerError } from '../errors.js';

export interface LimitOptions {
  /** Elements per second refilled into each member's bucket. */
  ratePerSecond: number;
  /** Bucket size: the largest burst, and so the largest admissible batch. */
  burst: number;
  /** Elements per member per UTC day. */
  dailyQuota: number;
}

export const DEFAULT_LIMITS: LimitOptions = { ratePerSecond: 20_000, burst: 100_000, dailyQuota: 5_000_000 };

interface Bucket {
  tokens: number;
  at: number;
}

/** Seconds from `nowMs` to the next UTC midnight (at least 1). */
export function secondsToUtcMidnight(nowMs: number): number {
  const next = new Date(nowMs);
  next.setUTCHours(24, 0, 0, 0);
  return Math.max(1, Math.ceil((next.getTime() - nowMs) / 1000));
}

/** Throws RangeError unless every limit is a positive number and burst ≥ 1. */
export function checkLimits(limits: LimitOptions): LimitOptions {
  for (const [name, value] of Object.entries(limits)) {
    if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0)
      throw new RangeError(`${name} must be positive`);
  }
  return limits;
}

export class MemberLimiter {
  readonly #limits: LimitOptions;
  readonly #buckets = new Map<string, Bucket>();

  constructor(limits: LimitOptions) {
    this.#limits = checkLimits(limits);
  }

  /**
   * Admits `n` evaluations for `member`, who has used `usedToday` today, or throws TA_QUOTA_EXCEEDED
   * (until the next UTC midnight) or TA_RATE_LIMITED (until the bucket holds `n`). A refused request
   * takes nothing from the bucket.
   */
  admit(member: string, n: number, usedToday: number, nowMs = Date.now()): void {
    const { ratePerSecond, burst, dailyQuota } = this.#limits;
    if (usedToday + n > dailyQuota) {
      const retryAfterSeconds = secondsToUtcMidnight(nowMs);
      throw new BrokerError(
        'TA_QUOTA_EXCEEDED',
        `member ${member} has used ${usedToday} of ${dailyQuota} evaluations today`,
        {
          hint: `retry after ${retryAfterSeconds} s (UTC midnight), or ask the authority for a larger quota`,
          details: { quota: dailyQuota, used: usedToday, requested: n, retryAfterSeconds },
        },
      );
    }
    const bucket = this.#buckets.get(member) ?? { tokens: burst, at: nowMs };
    const tokens = Math.min(burst, bucket.tokens + ((nowMs - bucket.at) / 1000) * ratePerSecond);
    if (n > tokens) {
      const retryAfterSeconds = Math.max(1, Math.ceil((Math.min(n, burst) - tokens) / ratePerSecond));
      this.#buckets.set(member, { tokens, at: nowMs });
      throw new BrokerError(
        'TA_RATE_LIMITED',
        `member ${member} is over ${ratePerSecond} evaluations per second`,
        {
          hint:
            n > burst ? `send at most ${burst} elements per request` : `retry after ${retryAfterSeconds} s`,
          details: { ratePerSecond, burst, requested: n, retryAfterSeconds },
        },
      );
    }
    this.#buckets.set(member, { tokens: tokens - n, at: nowMs });
  }
}
