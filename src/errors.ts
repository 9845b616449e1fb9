/**
 * The one error type every layer throws. A `code` is stable (clients and tests match on it, never on
 * the message); the message says what went wrong, the hint what to fix. Adapters map codes to exit
 * statuses and RFC 9457 problem documents, so domain code never chooses an HTTP status itself.
 */
export interface BrokerErrorOptions {
  /** What the caller should do about it. */
  hint?: string;
  /** The input field the error is about (a CSV column, a JSON property). */
  field?: string;
  /** Extra machine-readable facts safe to show the caller (never PII). */
  details?: Record<string, unknown>;
  cause?: unknown;
}

export class BrokerError extends Error {
  readonly code: string;
  readonly hint: string | undefined;
  readonly field: string | undefined;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: string, message: string, options: BrokerErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'BrokerError';
    this.code = code;
    this.hint = options.hint;
    this.field = options.field;
    this.details = options.details;
  }
}

/** True when `err` is a BrokerError with the given code (or any code when none is given). */
export function isBrokerError(err: unknown, code?: string): err is BrokerError {
  return err instanceof BrokerError && (code === undefined || err.code === code);
}
