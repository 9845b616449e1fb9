/**
 * Transparency-log routes (DESIGN §5 API): the latest C2SP checkpoint (https://c2sp.org/tlog-checkpoint)
 * as a text/plain note, entries by range, and RFC 9162 §2.1.3 / §2.1.4 proofs as base64 hashes.
 * Any authenticated caller may read the log (auditors must). Thin adapter onto ledger/log-reader;
 * every query parameter is hostile and refused with LOG_RANGE when it is not a plain decimal.
 */
import express from 'express';
import type { Request, Response, Router } from 'express';
import { BrokerError } from '../../errors.js';
import type { LogReader } from '../../ledger/log-reader.js';
import { callerOf, requireRole } from '../auth.js';

const DECIMAL = /^(?:0|[1-9][0-9]{0,15})$/;

/** A non-negative safe integer query parameter. Throws LOG_RANGE when missing or malformed. */
function integerParam(req: Request, name: string): number {
  const raw: unknown = (req.query as Record<string, unknown>)[name];
  const value = typeof raw === 'string' && DECIMAL.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isSafeInteger(value)) {
    throw new BrokerError('LOG_RANGE', `query parameter ${name} must be one decimal integer`, {
      field: name,
      hint: `e.g. ?${name}=0; no sign, no leading zeroes, at most 2^53 - 1`,
    });
  }
  return value;
}

function logOf(getLog: () => LogReader | undefined, res: Response): LogReader {
  if (!callerOf(res))
    throw new BrokerError('CLIENT_CERT_REQUIRED', 'a consortium client certificate is required');
  const log = getLog();
  if (!log) throw new BrokerError('LOG_UNAVAILABLE', 'this broker does not serve the transparency log');
  return log;
}

/** The log router; `getLog` is read per request so the app can be built before the log is wired. */
export function logRouter(getLog: () => LogReader | undefined): Router {
  const router = express.Router();

  router.get('/v1/log/checkpoint', async (req: Request, res: Response) => {
    const log = logOf(getLog, res);
    // ?cosigned=1: the latest checkpoint carrying witness cosignatures (C2SP tlog-cosignature).
    const text = req.query.cosigned === '1' ? await log.cosignedCheckpoint() : (await log.checkpoint()).text;
    res.set('Cache-Control', 'no-store').type('text/plain; charset=utf-8').send(text);
  });

  router.post(
    '/v1/log/cosignatures',
    express.text({ type: 'text/plain', limit: '256kb' }),
    async (req: Request, res: Response) => {
      const log = logOf(getLog, res);
      const auditor = requireRole(res, 'auditor');
      if (typeof req.body !== 'string') {
        throw new BrokerError('LOG_BAD_NOTE', 'send the cosigned checkpoint note as text/plain');
      }
      res.json(await log.addCosignature(auditor.id, req.body));
    },
  );

  router.get('/v1/log/entries', async (req: Request, res: Response) => {
    const log = logOf(getLog, res);
    res.json(await log.entries(integerParam(req, 'start'), integerParam(req, 'end')));
  });

  router.get('/v1/log/proof/inclusion', async (req: Request, res: Response) => {
    const log = logOf(getLog, res);
    res.json(await log.inclusion(integerParam(req, 'index'), integerParam(req, 'size')));
  });

  router.get('/v1/log/proof/consistency', async (req: Request, res: Response) => {
    const log = logOf(getLog, res);
    res.json(await log.consistency(integerParam(req, 'from'), integerParam(req, 'to')));
  });

  return router;
}
