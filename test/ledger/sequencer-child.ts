/**
 * Crash-test fixture (DESIGN §5): one process running the log's sequencer and checkpointer on
 * the prefix and log key given in its environment, until it is killed. Prints "ready" once its
 * Redis client is connected. Run as: node --import tsx test/ledger/sequencer-child.ts
 */
import { CheckpointStore } from '../../src/ledger/checkpoint-store.js';
import { Checkpointer } from '../../src/ledger/checkpointer.js';
import { LogStore } from '../../src/ledger/log-store.js';
import { Sequencer } from '../../src/ledger/sequencer.js';
import { createLogKeys } from '../../src/store/keys.js';
import { createStoreClient } from '../../src/store/redis.js';
import { fromHex } from '../../src/util/bytes.js';

const env = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
};

const logKey = {
  name: env('LOG_KEY_NAME'),
  secretKey: fromHex(env('LOG_KEY_SECRET')),
  publicKey: fromHex(env('LOG_KEY_PUBLIC')),
};
const client = createStoreClient(env('REDIS_URL'), (err) => process.stderr.write(`redis: ${err.message}\n`));
await client.connect();
const keys = createLogKeys(env('LOG_PREFIX'));
const store = new LogStore(client, keys);
const report = (err: unknown): void => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
};
const sequencer = new Sequencer(store, { leaseMs: Number(env('LEASE_MS')), batchMax: 200, onError: report });
const checkpointer = new Checkpointer(store, new CheckpointStore(client, keys, logKey), {
  signer: logKey,
  busyMs: Number(env('CHECKPOINT_MS')),
  onError: report,
});
sequencer.start();
checkpointer.start();
process.stdout.write('ready\n');
process.on('SIGTERM', () => {
  void Promise.all([sequencer.stop(), checkpointer.stop()]).then(async () => {
    await client.close();
    process.exit(0);
  });
});
