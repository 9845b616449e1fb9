/**
 * Test fixture for the Redis-backed transparency log (DESIGN §5): the real Redis at
 * 127.0.0.1:6379 under a random prefix; `close()` deletes only that prefix's keys (SCAN MATCH),
 * never a whole-database flush.
 */
import { generateEd25519KeyPair } from '../../src/crypto/ed25519.js';
import { randomId } from '../../src/crypto/random.js';
import { CheckpointStore } from '../../src/ledger/checkpoint-store.js';
import { Checkpointer } from '../../src/ledger/checkpointer.js';
import { LogStore } from '../../src/ledger/log-store.js';
import type { NoteKeyPair } from '../../src/keys/load.js';
import { createLogKeys } from '../../src/store/keys.js';
import { createStoreClient } from '../../src/store/redis.js';
import type { RedisClient } from '../../src/store/redis.js';

export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

export interface TestLog {
  prefix: string;
  client: RedisClient;
  store: LogStore;
  checkpoints: CheckpointStore;
  checkpointer: Checkpointer;
  logKey: NoteKeyPair;
  close(): Promise<void>;
}

export function newLogKey(name = 'log.test.example/blindbroker'): NoteKeyPair {
  const { secretKey, publicKey } = generateEd25519KeyPair();
  return { name, secretKey, publicKey };
}

/** Deletes every key under `prefix:` with SCAN MATCH (only this test's keys). */
export async function deletePrefix(client: RedisClient, prefix: string): Promise<void> {
  for await (const keys of client.scanIterator({ MATCH: `${prefix}:*`, COUNT: 1000 })) {
    if (keys.length > 0) await client.del(keys);
  }
}

export async function openTestLog(
  options: { prefix?: string; logKey?: NoteKeyPair; clean?: boolean } = {},
): Promise<TestLog> {
  const prefix = options.prefix ?? `bbtest-log-${randomId().slice(0, 8)}`;
  const client = createStoreClient(REDIS_URL);
  await client.connect();
  const keys = createLogKeys(prefix);
  const logKey = options.logKey ?? newLogKey();
  const store = new LogStore(client, keys);
  const checkpoints = new CheckpointStore(client, keys, logKey);
  const checkpointer = new Checkpointer(store, checkpoints, { signer: logKey });
  return {
    prefix,
    client,
    store,
    checkpoints,
    checkpointer,
    logKey,
    async close() {
      if (options.clean !== false) await deletePrefix(client, prefix);
      await client.close();
    },
  };
}
