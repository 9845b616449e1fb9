/**
 * Matching routes (DESIGN §6): consented lookups (`POST /v1/matches`, a `match` job answered inline
 * with `?wait=SECONDS` when done in time), screening (`POST /v1/screens`, NDJSON staged like a
 * batch, a chunked `screen` job), the owners' usage feed and the operator's overlap statistics.
 * A job is visible to its requester only; its result exists only once its log entries are
 * sequenced (the worker finishes after them).
 */
import express from 'express';
import type { Request, Response, Router } from 'express';
import type { Job } from 'bullmq';
import { randomId } from '../../crypto/random.js';
import { BrokerError } from '../../errors.js';
import type { MatchJobData, ScreenJobData } from '../../jobs/queues.js';
import { checkConsentId, parseMatchRequest } from '../../match/request.js';
import { requireRole } from '../auth.js';
import type { AppDeps } from '../deps.js';
import { matchingOf } from './consents.js';

const MAX_WAIT_SECONDS = 30;
const NDJSON = ['application/x-ndjson', 'application/jsonl', 'application/octet-stream'];

function waitSeconds(req: Request): number {
  const raw = req.query.wait;
  if (raw === undefined) return 0;
  const n = typeof raw === 'string' && /^\d{1,3}(\.\d{1,3})?$/.test(raw) ? Number(raw) : Number.NaN;
  if (!(n >= 0 && n <= MAX_WAIT_SECONDS)) {
    throw new BrokerError('MATCH_INVALID', `wait must be 0..${MAX_WAIT_SECONDS} seconds`, { field: 'wait' });
  }
  return n;
}

/** The "CODE: message" failure of a job as the BrokerError it was. */
function failureOf(reason: string | undefined): BrokerError {
  const m = /^([A-Z][A-Z0-9_]+): (.*)$/s.exec(reason ?? '');
  return m
    ? new BrokerError(m[1] ?? 'INTERNAL', m[2] ?? '')
    : new BrokerError('JOB_FAILED', reason ?? 'the job failed');
}

function view(job: Job, state: string, queue: string, withResult: boolean) {
  return {
    jobId: job.id,
    queue,
    state,
    progress: typeof job.progress === 'number' ? job.progress : 0,
    attempts: job.attemptsMade,
    createdAt: new Date(job.timestamp).toISOString(),
    ...(job.finishedOn ? { finishedAt: new Date(job.finishedOn).toISOString() } : {}),
    ...(withResult && state === 'completed' ? { result: job.returnvalue as unknown } : {}),
    ...(state === 'failed' && job.failedReason ? { failedReason: job.failedReason } : {}),
  };
}

async function ownJob<T extends { requester: string }>(
  get: (id: string) => Promise<Job<T> | undefined>,
  id: unknown,
  caller: string,
): Promise<Job<T>> {
  const job = typeof id === 'string' ? await get(id) : undefined;
  if (!job || job.data.requester !== caller) throw new BrokerError('JOB_NOT_FOUND', 'no such job of yours');
  return job;
}

export function matchingRoutes(router: Router, deps: AppDeps): void {
  const { queues } = deps;

  router.post(
    '/v1/matches',
    express.json({ limit: '16kb', type: () => true }),
    async (req: Request, res: Response) => {
      const caller = requireRole(res, 'member');
      const request = parseMatchRequest(req.body);
      const wait = waitSeconds(req);
      matchingOf(deps);
      const jobId = randomId();
      const data: MatchJobData = { requester: caller.id, ...request };
      const job = await queues.match.add('match', data, { jobId });
      if (wait > 0) {
        try {
          const result: unknown = await job.waitUntilFinished(queues.matchEvents, wait * 1000);
          res.json(result);
          return;
        } catch (err) {
          const state = await job.getState();
          if (state === 'failed')
            throw failureOf((await queues.match.getJob(jobId))?.failedReason ?? (err as Error).message);
        }
      }
      res.status(202).location(`/v1/matches/${jobId}`).json({ jobId });
    },
  );

  router.get('/v1/matches/:jobId', async (req: Request, res: Response) => {
    const caller = requireRole(res, 'member');
    // The state is read before the job, so a job seen 'failed' always carries its reason.
    const state = await queues.match.getJobState(String(req.params.jobId));
    const job = await ownJob((id) => queues.match.getJob(id), req.params.jobId, caller.id);
    res.json(view(job, state, 'match', true));
  });

  router.post('/v1/screens', async (req: Request, res: Response) => {
    const caller = requireRole(res, 'member');
    const consentId = checkConsentId(req.query.consentId, 'SCREEN_INVALID');
    const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim() ?? '';
    if (!NDJSON.includes(type))
      throw new BrokerError('UNSUPPORTED_MEDIA_TYPE', 'send the portfolio as application/x-ndjson');
    matchingOf(deps);
    const uploadId = randomId();
    const max = deps.config.broker.maxBodyBytes;
    let bytes = 0;
    let pending: Buffer[] = [];
    let pendingBytes = 0;
    try {
      for await (const chunk of req as AsyncIterable<Buffer>) {
        bytes += chunk.length;
        if (bytes > max) throw new BrokerError('BODY_TOO_LARGE', `the portfolio is larger than ${max} bytes`);
        pending.push(chunk);
        pendingBytes += chunk.length;
        if (pendingBytes >= deps.config.ingest.stageChunkBytes) {
          await deps.stage.append(caller.id, uploadId, Buffer.concat(pending));
          pending = [];
          pendingBytes = 0;
        }
      }
      if (pendingBytes > 0) await deps.stage.append(caller.id, uploadId, Buffer.concat(pending));
    } catch (err) {
      res.set('Connection', 'close');
      await deps.stage.drop(caller.id, uploadId).catch(() => undefined);
      throw err;
    }
    if (bytes === 0) throw new BrokerError('EMPTY_BODY', 'the portfolio holds no subject');
    const data: ScreenJobData = { requester: caller.id, consentId, uploadId, bytes };
    await queues.screen.add('screen', data, { jobId: uploadId });
    res.status(202).location(`/v1/screens/${uploadId}`).json({ jobId: uploadId });
  });

  router.get('/v1/screens/:jobId', async (req: Request, res: Response) => {
    const caller = requireRole(res, 'member');
    // The state is read before the job, so a job seen 'failed' always carries its reason.
    const state = await queues.screen.getJobState(String(req.params.jobId));
    const job = await ownJob((id) => queues.screen.getJob(id), req.params.jobId, caller.id);
    res.json(view(job, state, 'screen', true));
  });

  router.get('/v1/screens/:jobId/rows', async (req: Request, res: Response) => {
    const caller = requireRole(res, 'member');
    const job = await ownJob((id) => queues.screen.getJob(id), req.params.jobId, caller.id);
    if ((await job.getState()) !== 'completed') {
      throw new BrokerError('JOB_NOT_FINISHED', 'the screening job has not completed', {
        hint: 'poll GET /v1/screens/{jobId} until state is completed',
      });
    }
    res.type('application/x-ndjson');
    for (const chunk of await matchingOf(deps).store.screenRows(String(job.id))) res.write(chunk);
    res.end();
  });

  router.get('/v1/events', async (req: Request, res: Response) => {
    const caller = requireRole(res, 'member');
    const after = typeof req.query.after === 'string' ? req.query.after : '0';
    const raw = typeof req.query.limit === 'string' ? Number(req.query.limit) : 100;
    const limit = Number.isSafeInteger(raw) && raw >= 1 && raw <= 1000 ? raw : 100;
    res.json(await matchingOf(deps).store.events(caller.id, after, limit));
  });

  router.get('/v1/stats/overlap', async (_req: Request, res: Response) => {
    requireRole(res, 'operator');
    const matching = matchingOf(deps);
    const k = matching.registry.purposes.portfolio_screening?.smallCountThreshold ?? 3;
    res.json(await matching.store.overlap(deps.config.ingest.indexBucketBits, k));
  });
}
