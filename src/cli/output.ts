/** How every command reports: human text on a terminal, one JSON document with --json. */
import { BrokerError } from '../errors.js';

/** Exit statuses: 0 success, 1 findings or partial failure, 2 bad input or usage, 3 internal. */
export const EXIT = { OK: 0, FINDINGS: 1, USAGE: 2, INTERNAL: 3 } as const;

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

export function printLine(text = ''): void {
  process.stdout.write(`${text}\n`);
}

/** Writes an error to stderr (as JSON with --json) and returns the exit status it deserves. */
export function reportError(err: unknown, json: boolean): number {
  if (err instanceof BrokerError) {
    const problem = {
      code: err.code,
      message: err.message,
      hint: err.hint,
      field: err.field,
      details: err.details,
    };
    if (json) process.stderr.write(`${JSON.stringify({ error: problem })}\n`);
    else process.stderr.write(`error ${err.code}: ${err.message}${err.hint ? `\n  fix: ${err.hint}` : ''}\n`);
    return EXIT.USAGE;
  }
  const message = err instanceof Error ? (err.stack ?? err.message) : String(err);
  if (json)
    process.stderr.write(`${JSON.stringify({ error: { code: 'INTERNAL', message: String(err) } })}\n`);
  else process.stderr.write(`internal error: ${message}\n`);
  return EXIT.INTERNAL;
}
