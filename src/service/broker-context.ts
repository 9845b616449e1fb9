/**
 * Wires one broker process: the broker's keys, the node-redis store client, the key space, the
 * repositories, the queues and the manifest verifier. Shared by `serve` (API + workers) and
 * `worker` (workers only); each caller closes what it opened with `close()`.
 */
import type { Config } from '../config/schema.js';
import type { ManifestVerifier } from '../ingest/manifest.js';
import { createManifestVerifier } from '../jobs/manifest-verifier.js';
import { createQueues } from '../jobs/queues.js';
import type { BrokerQueues, QueueName } from '../jobs/queues.js';
import { startWorkers } from '../jobs/workers.js';
import type { RunningWorkers } from '../jobs/workers.js';
import { loadBrokerKeys } from '../keys/load.js';
import type { BrokerKeys } from '../keys/load.js';
import { loadRevocationList } from '../keys/revocation.js';
import { loadWitnessKeys } from '../keys/witnesses.js';
import { openLog } from '../ledger/log-runtime.js';
import type { BrokerLog } from '../ledger/log-runtime.js';
import type { Logger } from '../ops/logger.js';
import type { BrokerMetrics } from '../ops/metrics.js';
import { createKeySpace } from '../store/keys.js';
import type { KeySpace } from '../store/keys.js';
import { RecordStore } from '../store/record-store.js';
import { createStoreClient } from '../store/redis.js';
import { RedisWatchdog } from '../store/redis-watchdog.js';
import type { RedisClient } from '../store/redis.js';
import { StageStore } from '../store/stage-store.js';
import { IndexKeyer } from '../tokenize/index-key.js';
import { startMatchWorkers } from '../jobs/match-workers.js';
import { createMatching } from './matching.js';
import type { Matching } from './matching.js';

const REVOCATION_RELOAD_MS = 60_000;

export interface BrokerContext {
  config: Config;
  brokerKeys: BrokerKeys;
  client: RedisClient;
  keys: KeySpace;
  records: RecordStore;
  stage: StageStore;
  queues: BrokerQueues;
  verify: ManifestVerifier;
  logger: Logger;
  metrics: BrokerMetrics;
  /** The transparency log; `serve` starts its sequencer and checkpointer (DESIGN §5). */
  log: BrokerLog;
  /** Consents, owner policies, matching and screening (DESIGN §4, §6). */
  matching: Matching;
  revokedSerials: () => ReadonlySet<string>;
  startWorkers(queues: readonly QueueName[]): RunningWorkers;
  close(): Promise<void>;
}

/**
 * Opens the context. Does not wait for Redis (a broker starts, and answers 503, while Redis is
 * down). Throws KEYS_MISSING / KEYS_MALFORMED / KEYS_REVOCATION_INVALID for an incomplete keys dir.
 */
export async function openBrokerContext(
  config: Config,
  logger: Logger,
  metrics: BrokerMetrics,
): Promise<BrokerContext> {
  const brokerKeys = await loadBrokerKeys(config.keysDir);
  let revoked: ReadonlySet<string> = brokerKeys.revokedSerials;
  const reload = setInterval(() => {
    loadRevocationList(config.keysDir).then(
      (set) => (revoked = set),
      (err: unknown) =>
        logger.error(
          { err: err instanceof Error ? err.message : String(err) },
          'revocation list reload failed',
        ),
    );
  }, REVOCATION_RELOAD_MS);
  reload.unref();
  let lastRedisError = '';
  const onRedisError = (err: Error): void => {
    if (err.message !== lastRedisError) logger.warn({ err: err.message }, 'redis connection error');
    lastRedisError = err.message;
  };
  const client = createStoreClient(config.redis.url, onRedisError);
  client.on('ready', () => {
    lastRedisError = '';
    logger.info('redis ready');
  });
  client.connect().catch(onRedisError);
  const watchdog = new RedisWatchdog(client, {
    stallMs: config.redis.stallMs,
    onStall: (waitedMs) =>
      logger.error({ waitedMs }, 'redis answers nothing; the store connection is dropped and opened again'),
  });
  watchdog.start();
  const keys = createKeySpace(config.redis.prefix, config.ingest.indexBucketBits);
  const records = new RecordStore(client, keys);
  const stage = new StageStore(client, keys, config.ingest.stageTtlSeconds);
  const queues = createQueues(config, keys, onRedisError);
  const verify = await createManifestVerifier(config.keysDir, brokerKeys.caCertPem, () => revoked);
  const keyer = new IndexKeyer(brokerKeys.indexKey);
  const running: RunningWorkers[] = [];
  const log = openLog({
    client,
    prefix: config.redis.prefix,
    logKey: brokerKeys.logKey,
    logger,
    witnesses: await loadWitnessKeys(config.keysDir),
  });
  const matching = await createMatching({
    config,
    caCertPem: brokerKeys.caCertPem,
    revokedSerials: () => revoked,
    client,
    keys,
    keyer,
    log: () => log.service,
  });
  return {
    config,
    brokerKeys,
    client,
    keys,
    records,
    stage,
    queues,
    verify,
    logger,
    metrics,
    log,
    matching,
    revokedSerials: () => revoked,
    startWorkers(names) {
      const workers = startWorkers(
        {
          config,
          keys,
          records,
          stage,
          keyer,
          indexKey: brokerKeys.indexKey,
          verify,
          logger,
          metrics,
          log: log.service,
        },
        names,
      );
      running.push(workers);
      const matchWorkers = startMatchWorkers(
        { config, keys, stage, match: matching.matchDeps, screen: matching.screenDeps, logger },
        names,
      );
      running.push(matchWorkers);
      return {
        async close() {
          await Promise.all([workers.close(), matchWorkers.close()]);
        },
      };
    },
    async close() {
      clearInterval(reload);
      watchdog.stop();
      await Promise.all(running.map((w) => w.close()));
      await log.stop();
      await queues.close();
      if (client.isOpen) await client.close().catch(() => client.destroy());
      else client.destroy();
    },
  };
}
