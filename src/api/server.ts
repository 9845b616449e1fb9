/**
 * Starts the broker: HTTPS with mutual TLS (RFC 8446 §4.3.2 CertificateRequest: requestCert and
 * rejectUnauthorized against the consortium CA only), the app, and by default the workers. `stop()`
 * stops accepting connections, lets workers finish or release their in-flight jobs, then closes Redis.
 */
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Config } from '../config/schema.js';
import type { QueueName } from '../jobs/queues.js';
import { schedulePurge } from '../jobs/queues.js';
import { createLogger } from '../ops/logger.js';
import type { Logger } from '../ops/logger.js';
import { createMetrics } from '../ops/metrics.js';
import { openBrokerContext } from '../service/broker-context.js';
import type { BrokerContext } from '../service/broker-context.js';
import { redisPersistence } from '../store/persistence.js';
import { createApp } from './app.js';

export interface ServerOptions {
  /** Queues to run workers for in this process; [] for an API-only process. Default: all. */
  workers?: readonly QueueName[];
  logger?: Logger;
}

export interface RunningServer {
  url: string;
  port: number;
  context: BrokerContext;
  stop(): Promise<void>;
}

/** Listens on config.broker.host:port (0 = any free port). Throws KEYS_* for a bad keys dir. */
export async function startServer(config: Config, options: ServerOptions = {}): Promise<RunningServer> {
  const logger = options.logger ?? createLogger(config.logLevel);
  const metrics = createMetrics();
  const context = await openBrokerContext(config, logger, metrics);
  const { brokerKeys } = context;
  const app = createApp({
    config,
    caCertPem: brokerKeys.caCertPem,
    revokedSerials: context.revokedSerials,
    records: context.records,
    stage: context.stage,
    queues: context.queues,
    redisReady: () => context.client.isReady,
    persistence: () => redisPersistence(context.client),
    pingRedis: async () => {
      await context.client.ping();
    },
    logger,
    metrics,
    log: context.log.reader,
    matching: context.matching,
  });
  const server = createServer(
    {
      cert: brokerKeys.tls.certPem,
      key: brokerKeys.tls.keyPem,
      ca: brokerKeys.caCertPem,
      requestCert: true,
      rejectUnauthorized: true,
      minVersion: 'TLSv1.2',
    },
    app,
  );
  const workerQueues = options.workers ?? ['ingest', 'purge', 'match', 'screen'];
  const workers = context.startWorkers(workerQueues);
  context.log.start();
  if (workerQueues.includes('purge')) {
    schedulePurge(context.queues, config.queue.purgeEveryMs).catch((err: unknown) =>
      logger.warn(
        { err: err instanceof Error ? err.message : String(err) },
        'purge schedule not set (will retry at next start)',
      ),
    );
  }
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.broker.port, config.broker.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const host = config.broker.host.includes(':') ? `[${config.broker.host}]` : config.broker.host;
  const url = `https://${host}:${port}`;
  logger.info({ url }, 'broker listening');
  redisPersistence(context.client).then(
    (p) => p.warning && logger.warn({ aof: p.aof, rdb: p.rdb }, p.warning),
    () => undefined,
  );
  let stopping: Promise<void> | undefined;
  return {
    url,
    port,
    context,
    stop() {
      stopping ??= (async () => {
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        await workers.close();
        await context.close();
        server.closeAllConnections();
        await closed;
      })();
      return stopping;
    },
  };
}
