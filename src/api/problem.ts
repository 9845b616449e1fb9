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
  // transparency log (src/ledger/)
  LOG_RANGE: 400,
  LOG_BAD_ENTRY: 400,
  LOG_NO_CHECKPOINT: 503,
  LOG_UNAVAILABLE: 503,
  LOG_TIMEOUT: 503,
  LOG_BAD_NOTE: 400,
  LOG_BAD_CHECKPOINT: 400,
  LOG_UNSIGNED: 400,
  LOG_BAD_SIGNATURE: 400,
  LOG_WRONG_ORIGIN: 400,
  LOG_UNKNOWN_CHECKPOINT: 409,
  LOG_NO_COSIGNATURE: 404,
  WITNESS_UNKNOWN: 403,
  // token authority (src/token-authority/)
  BAD_DATE: 400,
  OPRF_BAD_ELEMENT: 400,
  TA_EPOCH_UNKNOWN: 404,
  TA_EPOCH_RETIRED: 410,
  TA_BATCH_TOO_LARGE: 413,
  TA_RATE_LIMITED: 429,
  TA_QUOTA_EXCEEDED: 429,
  // consents, owner policies, matching and screening (src/consent, src/match)
  SIG_MALFORMED: 400,
  SIG_TYPE: 400,
  SIG_UNKNOWN_SIGNER: 403,
  SIG_CERT_UNTRUSTED: 403,
  SIG_SIGNER_MISMATCH: 403,
  SIG_INVALID: 403,
  CONSENT_MALFORMED: 400,
  CONSENT_NO_SUBJECT: 400,
  CONSENT_SUBJECT_MISMATCH: 400,
  CONSENT_REQUEST_MISMATCH: 400,
  CONSENT_SUBJECT_INSUFFICIENT: 422,
  CONSENT_UNKNOWN_PURPOSE: 422,
  CONSENT_START_AFTER_EXPIRY: 422,
  CONSENT_ALREADY_EXPIRED: 422,
  CONSENT_START_TOO_LATE: 422,
  CONSENT_EXPIRY_TOO_LONG: 422,
  CONSENT_FREQUENCY_TOO_HIGH: 422,
  CONSENT_GROUP_NOT_ALLOWED: 422,
  CONSENT_DATA_LIFE_TOO_LONG: 422,
  CONSENT_SIGNER_MISMATCH: 403,
  CONSENT_WRONG_REQUESTER: 403,
  CONSENT_WRONG_PURPOSE: 403,
  CONSENT_GROUP_NOT_COVERED: 403,
  CONSENT_SOURCE_NOT_COVERED: 403,
  CONSENT_NOT_FOUND: 404,
  CONSENT_CONFLICT: 409,
  CONSENT_NOT_SEQUENCED: 409,
  CONSENT_REVOKED: 409,
  CONSENT_EXPIRED: 409,
  CONSENT_PAUSED: 409,
  CONSENT_NOT_STARTED: 409,
  CONSENT_REQUEST_STALE: 409,
  CONSENT_ALREADY_PAUSED: 409,
  CONSENT_NOT_PAUSED: 409,
  CONSENT_FREQUENCY_EXCEEDED: 429,
  POLICY_INVALID: 400,
  POLICY_SIGNER_MISMATCH: 403,
  POLICY_STALE: 409,
  MATCH_INVALID: 400,
  SCREEN_INVALID: 400,
  TOKEN_MALFORMED: 400,
  LINE_TOO_LONG: 400,
  BAD_CURSOR: 400,
  MATCH_SUBJECT_NOT_CONSENTED: 403,
  JOB_NOT_FINISHED: 409,
  MATCHING_UNAVAILABLE: 503,
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
