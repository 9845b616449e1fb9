/**
 * Member routes: submit a batch, follow its job, list submissions, withdraw a record. Thin adapters
 * onto ingest/stage-upload, the queues and the record store. No response ever holds a token or an
 * index key: job results carry ids, counts, line numbers and codes only.
 */
import type { Request, Response, Router } from 'express';
import type { Job } from 'bullmq';
import { randomId } from '../../crypto/random.js';
import { checkIdPart } from '../../envelope/format.js';
import { BrokerError } from '../../errors.js';
import type { IngestResult } from '../../ingest/ingest-batch.js';
import { stageUpload } from '../../ingest/stage-upload.js';
import type { IngestJobData } from '../../jobs/queues.js';
import { requireRole } from '../auth.js';
import type { AppDeps } from '../deps.js';

const NDJSON = ['application/x-ndjson', 'application/jsonl', 'application/octet-stream'];

function jobView(job: Job<IngestJobData>, state: string) {
  const result = job.returnvalue as IngestResult | null | undefined;
  return {
    jobId: job.id,
    queue: 'ingest',
    state,
    progress: typeof job.progress === 'number' ? job.progress : 0,
    attempts: job.attemptsMade,
    createdAt: new Date(job.timestamp).toISOString(),
    ...(job.finishedOn ? { finishedAt: new Date(job.finishedOn).toISOString() } : {}),
    ...(result ? { result } : {}),
    ...(state === 'failed' && job.failedReason ? { failedReason: job.failedReason } : {}),
  };
}

export function memberRoutes(router: Router, deps: AppDeps): void {
  const { config } = deps;

  router.post('/v1/submissions', async (req: Request, res: Response) => {
    const caller = requireRole(res, 'member');
    const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim() ?? '';
    if (!NDJSON.includes(type)) {
      throw new BrokerError('UNSUPPORTED_MEDIA_TYPE', 'send the batch as application/x-ndjson');
    }
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > config.broker.maxBodyBytes) {
      res.set('Connection', 'close');
      throw new BrokerError(
        'BODY_TOO_LARGE',
        `the batch is larger than ${config.broker.maxBodyBytes} bytes`,
        {
          details: { maxBytes: config.broker.maxBodyBytes },
        },
      );
    }
    const uploadId = randomId();
    try {
      const staged = await stageUpload(req, {
        stage: deps.stage,
        owner: caller.id,
        uploadId,
        maxBytes: config.broker.maxBodyBytes,
        chunkBytes: config.ingest.stageChunkBytes,
      });
      await deps.queues.ingest.add(
        'ingest',
        { uploadId, member: caller.id, bytes: staged.bytes },
        { jobId: uploadId },
      );
      deps.logger.info(
        { jobId: uploadId, batchId: staged.batchId, member: caller.id, bytes: staged.bytes },
        'batch staged',
      );
      res.status(202).location(`/v1/jobs/${uploadId}`).json({ jobId: uploadId, batchId: staged.batchId });
    } catch (err) {
      res.set('Connection', 'close');
      throw err;
    }
  });

  router.get('/v1/jobs/:id', async (req: Request, res: Response) => {
    const caller = requireRole(res, 'member');
    const jobId = String(req.params.id);
    // State first, then the job: a job read first and seen "completed" a moment later would be
    // answered without its result.
    const state = await deps.queues.ingest.getJobState(jobId);
    const job = (await deps.queues.ingest.getJob(jobId)) as Job<IngestJobData> | undefined;
    if (!job || job.data.member !== caller.id) {
      throw new BrokerError('JOB_NOT_FOUND', 'no such job of yours', {
        hint: 'use the jobId that POST /v1/submissions answered',
      });
    }
    res.json(jobView(job, state));
  });

  router.get('/v1/submissions', async (_req: Request, res: Response) => {
    const caller = requireRole(res, 'member');
    res.json({ submissions: await deps.records.listSubmissions(caller.id) });
  });

  router.delete('/v1/records/:recordId', async (req: Request, res: Response) => {
    const caller = requireRole(res, 'member');
    const recordId = checkIdPart(req.params.recordId, 'recordId', 'BAD_ID');
    if (!(await deps.records.deleteRecord(caller.id, recordId, 'withdrawn'))) {
      throw new BrokerError('RECORD_NOT_FOUND', 'you hold no record with this id');
    }
    deps.logger.info({ member: caller.id }, 'record withdrawn');
    res.status(204).end();
  });
}
