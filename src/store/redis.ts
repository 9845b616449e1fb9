/**
 * node-redis clients (the one Redis client library, DESIGN §6). Reconnection is bounded in delay,
 * never in count: a broker recovers by itself whenever Redis returns. The store client has no
 * offline queue, so while Redis is down a command fails at once (the API answers 503) instead of
 * waiting for a reconnect. It has no timeout per command either (node-redis's default arms a
 * timer for every command, a cost the lookups measurably paid): a Redis that stops answering is
 * noticed by redis-watchdog.ts instead. BullMQ gets its own client through
 * `createNodeRedisClient`, with node-redis's default command timeout.
 */
import { createClient } from 'redis';
import { createNodeRedisClient } from 'bullmq';
import type { ConnectionOptions } from 'bullmq';

/** Delay before reconnect attempt n: 50 ms growing to at most 2 s. */
export function reconnectDelay(retries: number): number {
  return Math.min(50 * 2 ** Math.min(retries, 6), 2000);
}

/** A client for the broker's own keys. Errors are surfaced through `onError`, never thrown async. */
export function createStoreClient(url: string, onError: (err: Error) => void = () => {}) {
  const client = createClient({
    url,
    disableOfflineQueue: true,
    commandOptions: { timeout: 0 },
    socket: { reconnectStrategy: reconnectDelay, connectTimeout: 2000 },
  });
  client.on('error', onError);
  return client;
}

export type RedisClient = ReturnType<typeof createStoreClient>;

/** A BullMQ connection and the means to close it (BullMQ leaves a caller's client open). */
export interface QueueConnection {
  connection: ConnectionOptions;
  close(): Promise<void>;
}

/**
 * A connection for BullMQ: a node-redis client wrapped by BullMQ's adapter (`createNodeRedisClient`).
 * BullMQ duplicates it for the blocking connection a Worker needs and closes its duplicates itself;
 * this client is the caller's, closed with `close()` after the Queue or Worker.
 */
export function createQueueConnection(
  url: string,
  onError: (err: Error) => void = () => {},
): QueueConnection {
  const raw = createClient({ url, socket: { reconnectStrategy: reconnectDelay, connectTimeout: 2000 } });
  raw.on('error', onError);
  const adapter = createNodeRedisClient(raw);
  adapter.on('error', onError);
  return {
    connection: adapter,
    async close() {
      if (raw.isOpen) await raw.close().catch(() => raw.destroy());
    },
  };
}
