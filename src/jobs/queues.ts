/**
 * BullMQ queues of the broker (DESIGN §6), named and prefixed through src/store/keys.ts, connected
 * through node-redis (`createNodeRedisClient`). Finished jobs are kept for `keepJobsSeconds` so that
 * GET /v1/jobs/:id can still answer; job data holds ids and sizes only.
 */
import { Queue, QueueEvents } from 'bullmq';
import type { Config } from '../config/schema.js';
import type { KeySpace } from '../store/keys.js';
import { createQueueConnection } from '../store/redis.js';

/** Concurrent inline match waits before Node warns of a listener leak on the queue. */
const MAX_INLINE_WAITS = 10_000;

export const QUEUE_NAMES = ['ingest', 'purge', 'match', 'screen'] as const;
export type QueueName = (typeof QUEUE_NAMES)[number];

/** An ingest job: the staged upload of `member` to verify and store. */
export interface IngestJobData {
  uploadId: string;
  member: string;
  bytes: number;
}

/** A consented lookup (DESIGN §6 `match`): ids and tokens only. */
export interface MatchJobData {
  requester: string;
  consentId: string;
  tokens: Partial<Record<string, string>>;
  groups: string[];
  purpose?: string;
}

/** A screening job: the staged portfolio (NDJSON of {ref, tokens}) of `requester`. */
export interface ScreenJobData {
  requester: string;
  consentId: string;
  uploadId: string;
  bytes: number;
}

export interface BrokerQueues {
  ingest: Queue<IngestJobData>;
  purge: Queue;
  match: Queue<MatchJobData>;
  screen: Queue<ScreenJobData>;
  /** Completion events of match jobs, for `?wait=` (DESIGN §6: answers inline when done in time). */
  matchEvents: QueueEvents;
  close(): Promise<void>;
}

/** Opens both queues; throws nothing (connection errors go to onError and are retried). */
export function createQueues(config: Config, keys: KeySpace, onError: (err: Error) => void): BrokerQueues {
  const keep = { age: config.queue.keepJobsSeconds };
  const ingestConnection = createQueueConnection(config.redis.url, onError);
  const purgeConnection = createQueueConnection(config.redis.url, onError);
  const common = { prefix: keys.queuePrefix };
  const ingest = new Queue<IngestJobData>(keys.queueName('ingest'), {
    ...common,
    connection: ingestConnection.connection,
    defaultJobOptions: {
      attempts: config.queue.attempts,
      backoff: { type: 'exponential', delay: config.queue.backoffMs },
      removeOnComplete: keep,
      removeOnFail: keep,
    },
  });
  const purge = new Queue(keys.queueName('purge'), {
    ...common,
    connection: purgeConnection.connection,
    defaultJobOptions: { removeOnComplete: 100, removeOnFail: 100 },
  });
  ingest.on('error', onError);
  purge.on('error', onError);
  // Matching queues: a match job's retries must not outlive the wait of its caller by much.
  const matchConnection = createQueueConnection(config.redis.url, onError);
  const screenConnection = createQueueConnection(config.redis.url, onError);
  const eventsConnection = createQueueConnection(config.redis.url, onError);
  const matchDefaults = {
    attempts: config.queue.attempts,
    backoff: { type: 'exponential', delay: config.queue.backoffMs },
    removeOnComplete: keep,
    removeOnFail: keep,
  };
  const match = new Queue<MatchJobData>(keys.queueName('match'), {
    ...common,
    connection: matchConnection.connection,
    defaultJobOptions: matchDefaults,
  });
  const screen = new Queue<ScreenJobData>(keys.queueName('screen'), {
    ...common,
    connection: screenConnection.connection,
    defaultJobOptions: matchDefaults,
  });
  const matchEvents = new QueueEvents(keys.queueName('match'), {
    ...common,
    connection: eventsConnection.connection,
  });
  // Each inline wait (`POST /v1/matches?wait=`) holds one 'closing' listener on the queue until
  // its job finishes, so Node's default of 10 would warn of a leak at 11 concurrent lookups.
  match.setMaxListeners(MAX_INLINE_WAITS);
  match.on('error', onError);
  screen.on('error', onError);
  matchEvents.on('error', onError);
  return {
    ingest,
    purge,
    match,
    screen,
    matchEvents,
    async close() {
      await Promise.all([ingest.close(), purge.close(), match.close(), screen.close(), matchEvents.close()]);
      await Promise.all(
        [ingestConnection, purgeConnection, matchConnection, screenConnection, eventsConnection].map((c) =>
          c.close(),
        ),
      );
    },
  };
}

/** Registers the repeatable purge (a BullMQ job scheduler), idempotent across restarts and hosts. */
export async function schedulePurge(queues: BrokerQueues, everyMs: number): Promise<void> {
  await queues.purge.upsertJobScheduler('purge-expired', { every: everyMs }, { name: 'purge' });
}
