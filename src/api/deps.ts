/** What the HTTP app needs, injected (no I/O at import; tests build it against their own Redis prefix). */
import type { Config } from '../config/schema.js';
import type { BrokerQueues } from '../jobs/queues.js';
import type { LogReader } from '../ledger/log-reader.js';
import type { Logger } from '../ops/logger.js';
import type { Matching } from '../service/matching.js';
import type { BrokerMetrics } from '../ops/metrics.js';
import type { RecordStore } from '../store/record-store.js';
import type { PersistenceStatus } from '../store/persistence.js';
import type { StageStore } from '../store/stage-store.js';

export interface AppDeps {
  config: Config;
  caCertPem: string;
  revokedSerials: () => ReadonlySet<string>;
  records: RecordStore;
  stage: StageStore;
  queues: BrokerQueues;
  /** True while the store client is connected. */
  redisReady: () => boolean;
  /** Round-trips to Redis; throws when it is unreachable. */
  pingRedis: () => Promise<void>;
  /** What the Redis keeps on disk (AOF, RDB), reported by /readyz. */
  persistence: () => Promise<PersistenceStatus>;
  logger: Logger;
  metrics: BrokerMetrics;
  /** The transparency log's read side (DESIGN §5); the log routes answer LOG_UNAVAILABLE without it. */
  log?: LogReader;
  /** Consents, owner policies, matching and screening (DESIGN §4, §6); their routes need it. */
  matching?: Matching;
}
