/**
 * Wires the transparency log of one broker process (DESIGN §5): the Redis store, the checkpoint
 * store, the auditor's reader, receipts and the `LogService` other modules append through, and
 * the background sequencer + checkpointer. Every process may run the background pair: the lease
 * makes exactly one of them the sequencer, and checkpoints never go back or fork. No I/O until
 * `start()`.
 */
import type { NoteKeyPair } from '../keys/load.js';
import type { Logger } from '../ops/logger.js';
import { createLogKeys } from '../store/keys.js';
import type { RedisClient } from '../store/redis.js';
import { CheckpointStore } from './checkpoint-store.js';
import { Checkpointer } from './checkpointer.js';
import { CosignatureStore } from './cosignature-store.js';
import { LogReader } from './log-reader.js';
import { LogStore } from './log-store.js';
import { Receipts, createLogService } from './receipts.js';
import type { LogService } from './receipts.js';
import { Sequencer } from './sequencer.js';
import type { NoteVerifier } from './signed-note.js';

export interface BrokerLog {
  readonly store: LogStore;
  readonly checkpoints: CheckpointStore;
  readonly reader: LogReader;
  readonly receipts: Receipts;
  readonly service: LogService;
  /** Starts the sequencer and checkpointer loops. */
  start(): void;
  /** Stops them (the lease is given back) and the receipts' listener. Never throws. */
  stop(): Promise<void>;
}

export interface OpenLogOptions {
  readonly client: RedisClient;
  /** The broker's Redis key prefix. */
  readonly prefix: string;
  readonly logKey: NoteKeyPair;
  readonly logger: Logger;
  /** How long `appendEntry` waits for sequencing and a checkpoint. Default 10 s. */
  readonly receiptTimeoutMs?: number;
  /** Auditor id → witness key, for accepting C2SP cosignatures; none: cosignatures are refused. */
  readonly witnesses?: ReadonlyMap<string, NoteVerifier>;
}

export function openLog(options: OpenLogOptions): BrokerLog {
  const { client, logKey, logger } = options;
  const keys = createLogKeys(options.prefix);
  const store = new LogStore(client, keys);
  const checkpoints = new CheckpointStore(client, keys, logKey);
  const failed =
    (what: string) =>
    (err: unknown): void =>
      logger.error({ err: err instanceof Error ? err.message : String(err) }, what);
  const checkpointer = new Checkpointer(store, checkpoints, {
    signer: logKey,
    onError: failed('log checkpoint failed'),
  });
  const receipts = new Receipts(store, checkpoints, {
    forceCheckpoint: () => checkpointer.force(),
    subscribe: true,
  });
  const sequencer = new Sequencer(store, {
    onError: failed('log sequencer step failed'),
    onDrop: (pendingId) => logger.error({ pendingId }, 'malformed pending log entry dropped'),
    onSequenced: (items) => receipts.sequenced(items),
  });
  return {
    store,
    checkpoints,
    reader: new LogReader(
      store,
      checkpoints,
      new CosignatureStore(client, keys, checkpoints, logKey, options.witnesses ?? new Map()),
    ),
    receipts,
    service: createLogService(receipts, logKey, options.receiptTimeoutMs),
    start() {
      sequencer.start();
      checkpointer.start();
    },
    async stop() {
      await Promise.all([sequencer.stop(), checkpointer.stop(), receipts.close()]);
    },
  };
}
