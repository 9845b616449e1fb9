/**
 * Per-member evaluation counts (DESIGN §1: the authority learns "blinded points and per-member
 * evaluation counts", and publishes the counts). Counts live in memory and in one JSON file per UTC
 * day under token-authority/counters/, written atomically at most once a second and on stop. A day's
 * counts are published as a signed document: Ed25519 (RFC 8032) over the RFC 8785 (JCS) canonical
 * form of `counters`, so an auditor can hold the authority to what it reported.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { ed25519Sign, ed25519Verify } from '../crypto/ed25519.js';
import { BrokerError } from '../errors.js';
import { PRIVATE_FILE_MODE, replaceFile } from '../keys/files.js';
import type { NoteKeyPair } from '../keys/load.js';
import { canonicalBytes } from '../signing/jcs.js';
import { fromBase64url, toBase64url } from '../util/bytes.js';

export const COUNTERS_TYPE = 'blindbroker/ta-counters/v1';
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const FLUSH_MS = 1000;

export interface DailyCounters {
  type: typeof COUNTERS_TYPE;
  authority: string;
  date: string;
  counts: Record<string, number>;
  total: number;
  /** True once the day is over (UTC): the counts can no longer change. */
  final: boolean;
  issuedAt: string;
}

export interface SignedCounters {
  counters: DailyCounters;
  signature: { alg: 'Ed25519'; keyName: string; publicKey: string; value: string };
}

const dayFile = z.object({
  date: z.string().regex(DATE),
  counts: z.record(z.string(), z.number().int().nonnegative()),
});

/** The UTC day of an instant, YYYY-MM-DD. */
export function utcDay(nowMs: number): string {
  return new Date(nowMs).toISOString().slice(0, 10);
}

/** Throws BAD_DATE unless `date` is a real YYYY-MM-DD day. */
export function checkDate(date: unknown): string {
  if (
    typeof date !== 'string' ||
    !DATE.test(date) ||
    Number.isNaN(Date.parse(`${date}T00:00:00Z`)) ||
    new Date(`${date}T00:00:00Z`).toISOString().slice(0, 10) !== date
  ) {
    throw new BrokerError('BAD_DATE', 'date must be a UTC day, YYYY-MM-DD', { field: 'date' });
  }
  return date;
}

export class EvaluationCounters {
  readonly #dir: string;
  readonly #days = new Map<string, Map<string, number>>();
  readonly #dirty = new Set<string>();
  #timer: NodeJS.Timeout | undefined;

  constructor(dir: string) {
    this.#dir = dir;
  }

  async #day(date: string): Promise<Map<string, number>> {
    let counts = this.#days.get(date);
    if (counts) return counts;
    const file = path.join(this.#dir, `${date}.json`);
    let loaded = new Map<string, number>();
    try {
      const parsed = dayFile.safeParse(JSON.parse(await fs.readFile(file, 'utf8')));
      if (!parsed.success || parsed.data.date !== date)
        throw new BrokerError('TA_COUNTERS_CORRUPT', `${file} is not a counters file`);
      loaded = new Map(Object.entries(parsed.data.counts));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    counts = this.#days.get(date) ?? loaded;
    this.#days.set(date, counts);
    return counts;
  }

  /** Evaluations `member` has been granted on `date`. Throws TA_COUNTERS_CORRUPT. */
  async used(member: string, date: string): Promise<number> {
    return (await this.#day(date)).get(member) ?? 0;
  }

  /** Adds `n` (negative to refund) to `member`'s count for `date`; persisted within a second. */
  async add(member: string, n: number, date: string): Promise<void> {
    const counts = await this.#day(date);
    counts.set(member, Math.max(0, (counts.get(member) ?? 0) + n));
    this.#dirty.add(date);
    this.#timer ??= setTimeout(() => void this.flush().catch(() => undefined), FLUSH_MS);
  }

  /** Writes every changed day to disk now. */
  async flush(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const dates = [...this.#dirty];
    this.#dirty.clear();
    await fs.mkdir(this.#dir, { recursive: true, mode: 0o700 });
    for (const date of dates) {
      const counts = Object.fromEntries(
        [...(this.#days.get(date) ?? new Map<string, number>())].sort(([a], [b]) => a.localeCompare(b)),
      );
      await replaceFile(
        path.join(this.#dir, `${date}.json`),
        `${JSON.stringify({ date, counts }, null, 2)}\n`,
        PRIVATE_FILE_MODE,
      );
    }
  }

  /** The signed counts of `date` (zero counts for a day without evaluations). Throws BAD_DATE. */
  async signed(
    date: string,
    authority: string,
    key: NoteKeyPair,
    nowMs = Date.now(),
  ): Promise<SignedCounters> {
    checkDate(date);
    const counts = Object.fromEntries([...(await this.#day(date))].sort(([a], [b]) => a.localeCompare(b)));
    const counters: DailyCounters = {
      type: COUNTERS_TYPE,
      authority,
      date,
      counts,
      total: Object.values(counts).reduce((a, b) => a + b, 0),
      final: date < utcDay(nowMs),
      issuedAt: new Date(nowMs).toISOString(),
    };
    const value = toBase64url(ed25519Sign(canonicalBytes(counters), key.secretKey));
    return {
      counters,
      signature: { alg: 'Ed25519', keyName: key.name, publicKey: toBase64url(key.publicKey), value },
    };
  }
}

/** True when `doc` is signed by `publicKey` (the one pinned from counter-key.pub), false otherwise. */
export function verifySignedCounters(doc: SignedCounters, publicKey: Uint8Array): boolean {
  try {
    return ed25519Verify(fromBase64url(doc.signature.value, 64), canonicalBytes(doc.counters), publicKey);
  } catch {
    return false;
  }
}
