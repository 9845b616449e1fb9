/**
 * Instants of the consent domain (DESIGN §4): ISO 8601 / RFC 3339 UTC timestamps written
 * `YYYY-MM-DDTHH:MM:SSZ` or `YYYY-MM-DDTHH:MM:SS.sssZ`. The string must be exactly what JavaScript
 * prints for the instant it denotes, so a date that does not exist (2026-02-30, 24:00, 23:59:60)
 * is refused: V8's Date.parse would silently roll it over into another day.
 */
import { z } from 'zod';

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{3})?Z$/;
export const MS_PER_DAY = 86_400_000;

/** Milliseconds since the epoch of a well-formed instant, or NaN for anything else. */
export function instantMillis(text: unknown): number {
  // Consent checks read the same expiry over and over (an auditor, once per use it replays): the
  // last answer is kept, keyed on the exact text.
  if (typeof text === 'string' && text === lastInstant.text) return lastInstant.ms;
  if (typeof text !== 'string' || !ISO_INSTANT.test(text)) return Number.NaN;
  let ms = Date.parse(text);
  const canonical = text.length === 20 ? `${text.slice(0, 19)}.000Z` : text;
  if (Number.isNaN(ms) || new Date(ms).toISOString() !== canonical) ms = Number.NaN;
  lastInstant = { text, ms };
  return ms;
}

let lastInstant: { text: string | undefined; ms: number } = { text: undefined, ms: Number.NaN };

/** The zod schema of an instant string (see the file comment). */
export const instantSchema = z
  .string()
  .max(24)
  .refine((text) => !Number.isNaN(instantMillis(text)), {
    message: 'must be an existing ISO 8601 UTC instant, e.g. 2026-11-05T08:00:00Z',
  });

/** The canonical text of a Date (millisecond precision). Throws RangeError for an invalid Date. */
export function toInstant(at: Date): string {
  return at.toISOString();
}
