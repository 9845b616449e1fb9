/**
 * The token authority's Express 5 app (DESIGN §1, §2), run apart from the broker: RFC 9497 §3.3.2
 * BlindEvaluate in the verifiable mode with one batch DLEQ proof per request (§2.2.1), over mutual
 * TLS (callers named by their consortium certificate, src/api/auth.ts), errors as RFC 9457 problems.
 *   GET  /v1/keys                 public keys per epoch                    any consortium party
 *   POST /v1/evaluate             {epoch, blinded[]} → {evaluated[], proof} members only
 *   GET  /v1/counters?date=DAY    signed daily evaluation counts           auditors and operators
 *   GET  /healthz
 * The authority sees blinded elements and counts; it never sees an identifier or a token.
 */
import express from 'express';
import type { ErrorRequestHandler, Express, Request, Response } from 'express';
import { mutualTlsCaller, callerOf, requireRole } from '../api/auth.js';
import { problemHandler } from '../api/problem.js';
import { ELEMENT_BYTES } from '../crypto/oprf.js';
import type { OprfPool } from '../crypto/oprf-pool.js';
import { BrokerError, isBrokerError } from '../errors.js';
import type { NoteKeyPair } from '../keys/load.js';
import type { Logger } from '../ops/logger.js';
import { fromBase64url, toBase64url } from '../util/bytes.js';
import { checkDate, utcDay } from './counters.js';
import type { EvaluationCounters } from './counters.js';
import { evaluableKey, publicKeysOf } from './key-files.js';
import type { OprfKeyRing } from './key-files.js';
import type { MemberLimiter } from './limits.js';

export const DEFAULT_MAX_BATCH = 10_000;
/** 10,000 base64url elements of 43 characters, quoted, plus slack. */
const BODY_LIMIT = '1mb';

export interface TokenAuthorityDeps {
  authorityId: string;
  caCertPem: string;
  revokedSerials: () => ReadonlySet<string>;
  /** The current key ring (re-read when the key file changes, so `rotate` needs no restart). */
  keyRing: () => Promise<OprfKeyRing>;
  counterKey: NoteKeyPair;
  counters: EvaluationCounters;
  limiter: MemberLimiter;
  pool: OprfPool;
  maxBatch: number;
  logger: Logger;
  now?: () => number;
}

/** Decodes {epoch, blinded[]}. Throws BAD_REQUEST, TA_BATCH_TOO_LARGE, OPRF_BAD_ELEMENT. */
function parseEvaluateBody(body: unknown, maxBatch: number): { epoch: number; blinded: Uint8Array[] } {
  const { epoch, blinded } = (body ?? {}) as { epoch?: unknown; blinded?: unknown };
  if (!Number.isSafeInteger(epoch) || (epoch as number) < 1) {
    throw new BrokerError('BAD_REQUEST', 'epoch must be a positive integer', { field: 'epoch' });
  }
  if (!Array.isArray(blinded) || blinded.length === 0) {
    throw new BrokerError('BAD_REQUEST', 'blinded must be a non-empty array of base64url elements', {
      field: 'blinded',
    });
  }
  if (blinded.length > maxBatch) {
    throw new BrokerError('TA_BATCH_TOO_LARGE', `at most ${maxBatch} elements per request`, {
      field: 'blinded',
      hint: `split the batch into requests of ${maxBatch} or fewer`,
      details: { max: maxBatch, got: blinded.length },
    });
  }
  const decoded = blinded.map((text, index) => {
    try {
      return fromBase64url(text as string, ELEMENT_BYTES);
    } catch (cause) {
      throw new BrokerError(
        'OPRF_BAD_ELEMENT',
        `blinded[${index}] is not ${ELEMENT_BYTES} bytes of base64url`,
        {
          cause,
          field: 'blinded',
          details: { index },
        },
      );
    }
  });
  return { epoch: epoch as number, blinded: decoded };
}

/** Adds Retry-After to 429s from the limiter's details, then hands over to the one problem handler. */
const retryAfter: ErrorRequestHandler = (err: unknown, _req, res, next) => {
  const seconds = isBrokerError(err) ? err.details?.['retryAfterSeconds'] : undefined;
  if (typeof seconds === 'number') res.set('Retry-After', String(seconds));
  next(err);
};

export function createTokenAuthorityApp(deps: TokenAuthorityDeps): Express {
  const now = deps.now ?? Date.now;
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use(mutualTlsCaller(deps.caCertPem, deps.revokedSerials));
  app.use(express.json({ limit: BODY_LIMIT }));

  app.get('/healthz', (_req: Request, res: Response) => {
    res.json({ status: 'ok' });
  });

  app.get('/v1/keys', async (_req: Request, res: Response) => {
    res.json(publicKeysOf(await deps.keyRing()));
  });

  app.post('/v1/evaluate', async (req: Request, res: Response) => {
    const caller = requireRole(res, 'member');
    const { epoch, blinded } = parseEvaluateBody(req.body, deps.maxBatch);
    const key = evaluableKey(await deps.keyRing(), epoch, new Date(now()));
    const at = now();
    const day = utcDay(at);
    deps.limiter.admit(caller.id, blinded.length, await deps.counters.used(caller.id, day), at);
    await deps.counters.add(caller.id, blinded.length, day);
    let answer;
    try {
      answer = await deps.pool.evaluate(key.keyPair, blinded);
    } catch (err) {
      await deps.counters.add(caller.id, -blinded.length, day);
      throw err;
    }
    deps.logger.info({ caller: caller.id, epoch, elements: blinded.length }, 'evaluated');
    res.json({ epoch, evaluated: answer.evaluated.map(toBase64url), proof: toBase64url(answer.proof) });
  });

  app.get('/v1/counters', async (req: Request, res: Response) => {
    const caller = callerOf(res);
    if (caller.role !== 'auditor' && caller.role !== 'operator') {
      throw new BrokerError(
        'ROLE_FORBIDDEN',
        `counters are for auditors and operators; you are a ${caller.role}`,
      );
    }
    const date = checkDate(req.query['date'] ?? utcDay(now()));
    res.json(await deps.counters.signed(date, deps.authorityId, deps.counterKey, now()));
  });

  app.use((req: Request) => {
    throw new BrokerError('NOT_FOUND', `no route ${req.method} ${req.path}`);
  });
  app.use(retryAfter);
  app.use(problemHandler(deps.logger, () => true));
  return app;
}
