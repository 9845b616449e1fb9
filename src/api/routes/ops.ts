/** Operator routes: liveness, readiness (Redis reachable), Prometheus metrics, the OpenAPI document. */
import type { Request, Response, Router } from 'express';
import { BrokerError } from '../../errors.js';
import type { AppDeps } from '../deps.js';
import { openApiDocument } from '../openapi.js';

const JOB_STATES = ['waiting', 'active', 'delayed', 'completed', 'failed'] as const;

export function opsRoutes(router: Router, deps: AppDeps): void {
  router.get('/healthz', (_req: Request, res: Response) => {
    res.json({ status: 'ok' });
  });

  router.get('/readyz', async (_req: Request, res: Response) => {
    try {
      await deps.pingRedis();
    } catch (cause) {
      throw new BrokerError('REDIS_UNAVAILABLE', 'Redis is unreachable', { cause });
    }
    res.json({ status: 'ready', details: { persistence: await deps.persistence() } });
  });

  router.get('/metrics', async (_req: Request, res: Response) => {
    if (deps.redisReady()) {
      for (const [name, queue] of [
        ['ingest', deps.queues.ingest],
        ['purge', deps.queues.purge],
      ] as const) {
        const counts = await queue.getJobCounts(...JOB_STATES);
        for (const state of JOB_STATES)
          deps.metrics.queueDepth.set({ queue: name, state }, counts[state] ?? 0);
      }
    }
    res.type(deps.metrics.registry.contentType).send(await deps.metrics.registry.metrics());
  });

  router.get('/openapi.json', (_req: Request, res: Response) => {
    res.json(openApiDocument());
  });
}
