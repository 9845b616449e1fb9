/**
 * The Express 5 app factory: mutual-TLS caller, Redis availability gate (503 + Retry-After while
 * Redis is down), routes, metrics and the one RFC 9457 error handler. No I/O here; startServer wires it.
 */
import express from 'express';
import type { Express, NextFunction, Request, Response } from 'express';
import { BrokerError } from '../errors.js';
import { mutualTlsCaller, callerOf } from './auth.js';
import type { AppDeps } from './deps.js';
import { problemHandler, RETRY_AFTER_SECONDS } from './problem.js';
import { logRouter } from './routes/log.js';
import { consentRoutes } from './routes/consents.js';
import { matchingRoutes } from './routes/matching.js';
import { memberRoutes } from './routes/member.js';
import { opsRoutes } from './routes/ops.js';

export function createApp(deps: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use(mutualTlsCaller(deps.caCertPem, deps.revokedSerials));
  app.use((req: Request, res: Response, next: NextFunction) => {
    const end = deps.metrics.requestSeconds.startTimer({ method: req.method });
    res.on('finish', () => {
      const route = (req.route as { path?: string } | undefined)?.path ?? 'unmatched';
      end({ route, status: String(res.statusCode) });
      deps.logger.info(
        {
          method: req.method,
          route,
          status: res.statusCode,
          caller: (res.locals.caller as unknown) ? callerOf(res).id : undefined,
        },
        'request',
      );
    });
    next();
  });
  app.use('/v1', (_req: Request, _res: Response, next: NextFunction) => {
    if (!deps.redisReady()) {
      next(
        new BrokerError('REDIS_UNAVAILABLE', 'the broker store is unreachable; retry later', {
          hint: `retry after ${RETRY_AFTER_SECONDS} seconds`,
        }),
      );
      return;
    }
    next();
  });
  const router = express.Router();
  memberRoutes(router, deps);
  opsRoutes(router, deps);
  consentRoutes(router, deps);
  matchingRoutes(router, deps);
  app.use(router);
  app.use(logRouter(() => deps.log));
  app.use((req: Request) => {
    throw new BrokerError('NOT_FOUND', `no route ${req.method} ${req.path}`, { hint: 'see /openapi.json' });
  });
  app.use(problemHandler(deps.logger, deps.redisReady));
  return app;
}
