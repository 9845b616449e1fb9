/**
 * Which body fields of a log entry hold signed objects (DESIGN §5, §7): any top-level body value
 * with the signed-object shape, so kinds added later are covered too. Apart from signatures.ts,
 * which verifies them, so the page workers (page-facts.ts) can tell entries that carry a
 * signature without loading the certificate code.
 */
import type { LogEntry } from '../ledger/entry.js';

const SHAPE = ['alg', 'body', 'keyId', 'sig', 'signer', 'type'].join();

function looksSigned(value: unknown): boolean {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    Object.keys(value).sort().join() === SHAPE
  );
}

/** The body fields of `entry` that hold signed objects. */
export function signedFields(entry: LogEntry): string[] {
  return Object.keys(entry.body).filter((k) => looksSigned(entry.body[k]));
}
