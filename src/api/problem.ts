/**
 * RFC 9457 problem details (`application/problem+json`): the one error handler and the one table
 * from a BrokerError code to an HTTP status. Every problem carries the stable `code`; an unknown
 * error is a 500 whose message is not shown (it may hold internals), and any failure while Redis is
 * unreachable is a 503 with Retry-After, so clients back off instead of giving up.
 */
import type { ErrorRequestHandler, Response } from 'express';
import { BrokerError, isBrokerError } from '../errors.js';
import type { Logger } from '../ops/logger.js';

export const PROBLEM_TYPE = 'application/problem+json';
export const RETRY_AFTER_SECONDS = 5;

const STATUS: Readonly<Record<string, number>> = {
  BAD_REQUEST: 400,
  BAD_ID: 400,
  BAD_JSON: 400,
  EMPTY_BODY: 400,
  MANIFEST_INVALID: 400,
  CLIENT_CERT_REQUIRED: 401,
  CERT_UNTRUSTED: 403,
  CERT_EXPIRED: 403,
  CERT_REVOKED: 403,
  CERT_MALFORMED: 403,
  ROLE_FORBIDDEN: 403,
  NOT_FOUND: 404,
  JOB_NOT_FOUND: 404,
  RECORD_NOT_FOUND: 404,
  BATCH_CONFLICT: 409,
  BODY_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  REDIS_UNAVAILABLE: 503,
};

/** The HTTP status of a code (500 for a code the table does not know). */
export function statusOf(code: string): number {
  return STATUS[code] ?? 500;
}

export function sendProblem(res: Response, err: BrokerError, instance?: string): void {
  const status = statusOf(err.code);
  if (status === 503) res.set('Retry-After', String(RETRY_AFTER_SECONDS));
  res
    .status(status)
    .type(PROBLEM_TYPE)
    .json({
      type: `urn:blindbroker:problem:${err.code}`,
      title: err.code.toLowerCase().replace(/_/g, ' '),
      status,
      detail: err.message,
      code: err.code,
      ...(err.hint ? { hint: err.hint } : {}),
      ...(err.field ? { field: err.field } : {}),
      ...(err.details ? { details: err.details } : {}),
      ...(instance ? { instance } : {}),
    });
}

/** The one error handler; `redisReady` turns failures during a Redis outage into 503. */
export function problemHandler(logger: Logger, redisReady: () => boolean): ErrorRequestHandler {
  return (err: unknown, req, res, _next) => {
    let problem: BrokerError;
    if (isBrokerError(err)) problem = err;
    else if (!redisReady()) {
      problem = new BrokerError('REDIS_UNAVAILABLE', 'the broker store is unreachable; retry later', {
        hint: `retry after ${RETRY_AFTER_SECONDS} seconds`,
      });
    } else if (isHttpError(err) && err.status === 413) {
      problem = new BrokerError('BODY_TOO_LARGE', 'the request body is too large');
    } else if (isHttpError(err) && err.status === 400) {
      problem = new BrokerError('BAD_REQUEST', 'the request body is not valid JSON');
    } else {
      logger.error(
        { err: err instanceof Error ? err.message : String(err), route: req.route?.path },
        'internal error',
      );
      problem = new BrokerError('INTERNAL', 'internal error');
    }
    if (res.headersSent) {
      res.destroy();
      return;
    }
    sendProblem(res, problem, req.originalUrl.split('?')[0]);
  };
}

function isHttpError(err: unknown): err is { status: number } {
  return typeof err === 'object' && err !== null && typeof (err as { status?: unknown }).status === 'number';
}
