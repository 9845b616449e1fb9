/**
 * BullMQ workers: thin adapters from a Job onto ingest and retention domain code. A BrokerError
 * that retrying cannot fix (bad signature, tampered batch, …) fails the job at once with
 * "CODE: message" as its failure reason; anything else (Redis gone, a crash) is retried, and a
 * worker killed mid-job is noticed by BullMQ's stalled-job check and its job re-run from the start,
 * which ingest makes idempotent.
 */
import { UnrecoverableError } from 'bullmq';
import type { Job } from 'bullmq';
import type { Config } from '../config/schema.js';
import { isBrokerError } from '../errors.js';
import { ingestBatch } from '../ingest/ingest-batch.js';
import type { IngestResult, SubmissionLog } from '../ingest/ingest-batch.js';
import type { ManifestVerifier } from '../ingest/manifest.js';
import { loadEpochPolicy } from '../keys/epoch-policy.js';
import { inlinePreparer, threadedPreparer } from '../ingest/prepare-pool.js';
import type { LinePreparer } from '../ingest/prepare-pool.js';
import type { Logger } from '../ops/logger.js';
import type { BrokerMetrics } from '../ops/metrics.js';
import { purgeExpired } from '../retention/purge.js';
import type { PurgeResult } from '../retention/purge.js';
import type { KeySpace } from '../store/keys.js';
import type { RecordStore } from '../store/record-store.js';
import type { StageStore } from '../store/stage-store.js';
import type { IndexKeyer } from '../tokenize/index-key.js';
import type { IngestJobData, QueueName } from './queues.js';
import { WorkerSet } from './worker-guard.js';

/** Codes after which a retry would fail the same way. */
const RETRYABLE = new Set(['STORE_REPLY', 'SUBMISSION_GONE']);

export interface WorkerDeps {
  config: Config;
  keys: KeySpace;
  records: RecordStore;
  stage: StageStore;
  keyer: IndexKeyer;
  /** The broker index key, for the prepare threads' own IndexKeyers. */
  indexKey: Uint8Array;
  verify: ManifestVerifier;
  logger: Logger;
  metrics: BrokerMetrics;
  /** The transparency log, for `submission.accepted` (DESIGN §5). */
  log?: SubmissionLog;
}

export interface RunningWorkers {
  close(): Promise<void>;
}

function failureOf(err: unknown): Error {
  if (isBrokerError(err) && !RETRYABLE.has(err.code))
    return new UnrecoverableError(`${err.code}: ${err.message}`);
  return err instanceof Error ? err : new Error(String(err));
}

async function runIngest(
  deps: WorkerDeps,
  preparer: LinePreparer,
  job: Job<IngestJobData>,
): Promise<IngestResult> {
  const { uploadId, member } = job.data;
  const { config } = deps;
  try {
    const result = await ingestBatch({
      caller: { role: 'member', id: member },
      open: () => deps.stage.chunks(member, uploadId),
      verify: deps.verify,
      preparer,
      store: deps.records,
      chunkRecords: config.ingest.chunkRecords,
      defaultDataLifeDays: config.ingest.defaultDataLifeDays,
      maxRejectsReported: config.ingest.maxRejectsReported,
      onProgress: (percent) => job.updateProgress(percent),
      epochs: () => loadEpochPolicy(config.keysDir),
      ...(deps.log ? { log: deps.log } : {}),
    });
    deps.metrics.recordsIngested.inc({ outcome: 'accepted' }, result.accepted);
    deps.metrics.recordsIngested.inc({ outcome: 'rejected' }, result.rejected);
    deps.logger.info(
      {
        jobId: job.id,
        batchId: result.batchId,
        member,
        accepted: result.accepted,
        rejected: result.rejected,
      },
      'batch ingested',
    );
    return result;
  } catch (err) {
    const failure = failureOf(err);
    if (failure instanceof UnrecoverableError) await deps.stage.drop(member, uploadId).catch(() => undefined);
    deps.logger.warn(
      {
        jobId: job.id,
        member,
        code: isBrokerError(err) ? err.code : 'INTERNAL',
        attempt: job.attemptsMade + 1,
      },
      'ingest failed',
    );
    throw failure;
  }
}

/**
 * Drops a completed job's staged upload (a batch, or a screening portfolio). Only now: had the
 * job dropped it itself, a retry after its result failed to be recorded (a connection lost at
 * that moment) would find no upload and fail a job whose work was done. A drop that fails leaves
 * the upload to its TTL.
 */
export function dropStage(
  deps: { stage: StageStore; logger: Logger },
  job: Job,
  owner: string,
  uploadId: string,
): void {
  deps.stage
    .drop(owner, uploadId)
    .catch((err: unknown) =>
      deps.logger.warn(
        { jobId: job.id, err: err instanceof Error ? err.message : String(err) },
        'staged upload not dropped (it expires by itself)',
      ),
    );
}

/** A purge job purges as of now, or as of `data.asOf` (ms) when an operator schedules one ahead. */
async function runPurge(deps: WorkerDeps, job: Job): Promise<PurgeResult> {
  const asOf = (job.data as { asOf?: unknown } | undefined)?.asOf;
  const result = await purgeExpired(deps.records, typeof asOf === 'number' ? asOf : Date.now());
  deps.logger.info({ jobId: job.id, owners: result.owners, purged: result.purged }, 'purge done');
  return result;
}

/** Starts workers for `queues`; connection errors are logged and retried by the client. */
export function startWorkers(deps: WorkerDeps, queues: readonly QueueName[]): RunningWorkers {
  const { config, keys, logger, metrics } = deps;
  const onError = (err: Error): void => logger.warn({ err: err.message }, 'queue connection error');
  const common = {
    prefix: keys.queuePrefix,
    lockDuration: config.queue.lockDurationMs,
    stalledInterval: config.queue.stalledIntervalMs,
    maxStalledCount: config.queue.attempts,
  };
  const timed =
    <T>(queue: QueueName, run: (job: Job) => Promise<T>) =>
    async (job: Job): Promise<T> => {
      const end = metrics.jobSeconds.startTimer({ queue });
      try {
        const out = await run(job);
        end({ outcome: 'completed' });
        return out;
      } catch (err) {
        end({ outcome: 'failed' });
        throw err;
      }
    };
  const workers = new WorkerSet({
    url: config.redis.url,
    onError,
    onReplace: (queue) => logger.error({ queue }, 'queue worker stuck on a failed connection; replaced'),
  });
  let preparer: LinePreparer | undefined;
  if (queues.includes('ingest')) {
    const threads = config.ingest.prepareThreads;
    const ingestPreparer =
      threads > 0 ? threadedPreparer(deps.indexKey, threads) : inlinePreparer(deps.keyer);
    preparer = ingestPreparer;
    workers.add(
      keys.queueName('ingest'),
      timed('ingest', (job) => runIngest(deps, ingestPreparer, job as Job<IngestJobData>)),
      { ...common, concurrency: config.queue.ingestConcurrency },
      (job: Job<IngestJobData>) => dropStage(deps, job, job.data.member, job.data.uploadId),
    );
  }
  if (queues.includes('purge')) {
    workers.add(
      keys.queueName('purge'),
      timed('purge', (job) => runPurge(deps, job)),
      common,
    );
  }
  return {
    async close() {
      await workers.close();
      await preparer?.close();
    },
  };
}
