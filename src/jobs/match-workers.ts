/**
 * BullMQ workers of the `match` and `screen` queues (DESIGN §6): thin adapters from a Job onto
 * src/match. A BrokerError that a retry cannot fix (a refused consent, a bad token) fails the job
 * at once with "CODE: message"; anything else (Redis or the log briefly away) is retried, and the
 * domain makes retries safe: one consent use, one log entry per job and record.
 */
import { UnrecoverableError } from 'bullmq';
import type { Job } from 'bullmq';
import type { Config } from '../config/schema.js';
import { isBrokerError } from '../errors.js';
import { splitLines } from '../ingest/lines.js';
import { runMatch } from '../match/lookup.js';
import type { MatchDeps, MatchResult } from '../match/lookup.js';
import { parseScreenLine } from '../match/request.js';
import type { ScreenSubject } from '../match/request.js';
import { runScreen } from '../match/screening.js';
import type { ScreenDeps, ScreenResult } from '../match/screening.js';
import type { Logger } from '../ops/logger.js';
import type { KeySpace } from '../store/keys.js';
import type { StageStore } from '../store/stage-store.js';
import type { MatchJobData, QueueName, ScreenJobData } from './queues.js';
import { dropStage } from './workers.js';
import type { RunningWorkers } from './workers.js';
import { WorkerSet } from './worker-guard.js';

/** Codes after which a retry may succeed. */
const RETRYABLE = new Set([
  'STORE_REPLY',
  'LOG_TIMEOUT',
  'LOG_STORAGE',
  'LOG_UNAVAILABLE',
  'REDIS_UNAVAILABLE',
]);
/** Subjects of a portfolio probed together (one script per owner per chunk). */
export const SCREEN_CHUNK = 1000;

export interface MatchWorkerDeps {
  config: Config;
  keys: KeySpace;
  stage: StageStore;
  match: MatchDeps;
  screen: ScreenDeps;
  logger: Logger;
}

function failureOf(err: unknown): Error {
  if (isBrokerError(err) && !RETRYABLE.has(err.code))
    return new UnrecoverableError(`${err.code}: ${err.message}`);
  return err instanceof Error ? err : new Error(String(err));
}

async function matchJob(deps: MatchWorkerDeps, job: Job<MatchJobData>): Promise<MatchResult> {
  const { requester, consentId, tokens, groups, purpose } = job.data;
  try {
    const result = await runMatch(deps.match, {
      jobId: String(job.id),
      requester,
      consentId,
      tokens,
      groups,
      ...(purpose === undefined ? {} : { purpose }),
    });
    deps.logger.info({ jobId: job.id, requester, released: result.released.length }, 'match done');
    return result;
  } catch (err) {
    deps.logger.warn(
      { jobId: job.id, requester, code: isBrokerError(err) ? err.code : 'INTERNAL' },
      'match failed',
    );
    throw failureOf(err);
  }
}

/** The staged portfolio as chunks of parsed subjects; reports the share of bytes read. */
async function* portfolio(
  deps: MatchWorkerDeps,
  data: ScreenJobData,
  onBytes: (bytes: number) => void,
): AsyncGenerator<ScreenSubject[]> {
  let chunk: ScreenSubject[] = [];
  let bytes = 0;
  for await (const line of splitLines(deps.stage.chunks(data.requester, data.uploadId))) {
    bytes += line.bytes.length + 1;
    if (line.bytes.length === 0) continue;
    chunk.push(parseScreenLine(line.bytes.toString('utf8'), line.number));
    if (chunk.length >= SCREEN_CHUNK) {
      onBytes(bytes);
      yield chunk;
      chunk = [];
    }
  }
  onBytes(bytes);
  if (chunk.length > 0) yield chunk;
}

async function screenJob(deps: MatchWorkerDeps, job: Job<ScreenJobData>): Promise<ScreenResult> {
  const data = job.data;
  let read = 0;
  try {
    const result = await runScreen(deps.screen, {
      jobId: String(job.id),
      requester: data.requester,
      consentId: data.consentId,
      subjects: portfolio(deps, data, (bytes) => (read = bytes)),
      onProgress: () => job.updateProgress(Math.min(99, Math.floor((100 * read) / Math.max(1, data.bytes)))),
    });
    await job.updateProgress(100);
    deps.logger.info({ jobId: job.id, requester: data.requester, subjects: result.subjects }, 'screen done');
    return result;
  } catch (err) {
    const failure = failureOf(err);
    if (failure instanceof UnrecoverableError)
      await deps.stage.drop(data.requester, data.uploadId).catch(() => undefined);
    deps.logger.warn({ jobId: job.id, code: isBrokerError(err) ? err.code : 'INTERNAL' }, 'screen failed');
    throw failure;
  }
}

/** Starts the match and screen workers among `queues`. */
export function startMatchWorkers(deps: MatchWorkerDeps, queues: readonly QueueName[]): RunningWorkers {
  const { config, keys, logger } = deps;
  const onError = (err: Error): void => logger.warn({ err: err.message }, 'queue connection error');
  const common = {
    prefix: keys.queuePrefix,
    lockDuration: config.queue.lockDurationMs,
    stalledInterval: config.queue.stalledIntervalMs,
    maxStalledCount: config.queue.attempts,
  };
  const workers = new WorkerSet({
    url: config.redis.url,
    onError,
    onReplace: (queue) => logger.error({ queue }, 'queue worker stuck on a failed connection; replaced'),
  });
  if (queues.includes('match')) {
    workers.add(keys.queueName('match'), (job: Job) => matchJob(deps, job as Job<MatchJobData>), {
      ...common,
      concurrency: config.queue.matchConcurrency,
    });
  }
  if (queues.includes('screen')) {
    workers.add(
      keys.queueName('screen'),
      (job: Job) => screenJob(deps, job as Job<ScreenJobData>),
      common,
      (job: Job<ScreenJobData>) => dropStage(deps, job, job.data.requester, job.data.uploadId),
    );
  }
  return {
    close: () => workers.close(),
  };
}
