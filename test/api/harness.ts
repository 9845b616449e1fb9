/**
 * Test harness for the broker: a real server on port 0 over the shared test consortium, against the
 * real Redis at 127.0.0.1:6379 under a random per-test prefix. Cleanup deletes only that prefix's
 * keys (SCAN MATCH + DEL), never a whole-database flush. Log lines are captured for the PII scan.
 */
import { Writable } from 'node:stream';
import { createClient } from 'redis';
import { MemberClient } from '../../src/client/member-client.js';
import { randomId } from '../../src/crypto/random.js';
import { configSchema } from '../../src/config/schema.js';
import type { Config } from '../../src/config/schema.js';
import { startServer } from '../../src/api/server.js';
import type { RunningServer, ServerOptions } from '../../src/api/server.js';
import { createLogger } from '../../src/ops/logger.js';
import { sharedConsortium } from '../keys/fixture.js';

export const REDIS_URL = 'redis://127.0.0.1:6379';

export interface Broker {
  server: RunningServer;
  config: Config;
  keysDir: string;
  logs: string[];
  client(member: string): Promise<MemberClient>;
  stop(): Promise<void>;
}

export function testPrefix(): string {
  return `bbtest-${randomId().slice(0, 8)}`;
}

export async function testConfig(overrides: Record<string, unknown> = {}): Promise<Config> {
  const keysDir = await sharedConsortium();
  const { redis, broker, ingest, queue, ...rest } = overrides as Record<
    string,
    Record<string, unknown> | undefined
  >;
  return configSchema.parse({
    keysDir,
    logLevel: 'info',
    ...rest,
    redis: { url: REDIS_URL, prefix: testPrefix(), ...redis },
    broker: { host: '127.0.0.1', port: 0, ...broker },
    ingest: { indexBucketBits: 12, ...ingest },
    queue: { stalledIntervalMs: 1000, lockDurationMs: 2000, backoffMs: 100, ...queue },
  });
}

/** Deletes every key under `prefix:` (only this test's keys). */
export async function cleanPrefix(prefix: string, url = REDIS_URL): Promise<void> {
  const client = createClient({ url });
  await client.connect();
  try {
    for await (const keys of client.scanIterator({ MATCH: `${prefix}:*`, COUNT: 1000 })) {
      if (keys.length > 0) await client.del(keys);
    }
  } finally {
    await client.close();
  }
}

/** Every key under `prefix:`. */
export async function keysUnder(prefix: string, url = REDIS_URL): Promise<string[]> {
  const client = createClient({ url });
  await client.connect();
  const out: string[] = [];
  try {
    for await (const keys of client.scanIterator({ MATCH: `${prefix}:*`, COUNT: 1000 })) out.push(...keys);
  } finally {
    await client.close();
  }
  return out;
}

export async function startBroker(
  overrides: Record<string, unknown> = {},
  options: ServerOptions = {},
): Promise<Broker> {
  const config = await testConfig(overrides);
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      logs.push(chunk.toString('utf8'));
      done();
    },
  });
  const server = await startServer(config, { logger: createLogger('info', sink), ...options });
  const clients: MemberClient[] = [];
  return {
    server,
    config,
    keysDir: config.keysDir,
    logs,
    async client(member) {
      const c = await MemberClient.fromKeys(config.keysDir, member, server.url);
      clients.push(c);
      return c;
    },
    async stop() {
      clients.forEach((c) => c.close());
      await server.stop();
      await cleanPrefix(config.redis.prefix, config.redis.url).catch(() => undefined);
    },
  };
}
