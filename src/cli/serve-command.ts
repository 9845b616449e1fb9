/**
 * `blindbroker serve` (API + workers) and `blindbroker worker` (workers only): thin adapters over
 * startServer / openBrokerContext. Both stop cleanly on SIGINT/SIGTERM: in-flight jobs finish or
 * are released to another worker, then Redis is closed.
 */
import { Command, Option } from 'commander';
import { startServer } from '../api/server.js';
import { loadConfig } from '../config/load.js';
import { BrokerError } from '../errors.js';
import { QUEUE_NAMES } from '../jobs/queues.js';
import type { QueueName } from '../jobs/queues.js';
import { createLogger } from '../ops/logger.js';
import { createMetrics } from '../ops/metrics.js';
import { openBrokerContext } from '../service/broker-context.js';
import { printJson, printLine } from './output.js';

interface BrokerFlags {
  config?: string;
  keys?: string;
  port?: string;
  redis?: string;
  prefix?: string;
  queues?: string;
  workers?: boolean;
  json?: boolean;
}

function parseQueues(list: string | undefined): QueueName[] {
  if (list === undefined) return [...QUEUE_NAMES];
  const names = list
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const name of names) {
    if (!(QUEUE_NAMES as readonly string[]).includes(name)) {
      throw new BrokerError('BAD_QUEUE', `unknown queue "${name}"`, { hint: `use ${QUEUE_NAMES.join(',')}` });
    }
  }
  return names as QueueName[];
}

function untilSignal(): Promise<string> {
  return new Promise((resolve) => {
    process.once('SIGINT', () => resolve('SIGINT'));
    process.once('SIGTERM', () => resolve('SIGTERM'));
  });
}

function withBrokerOptions(command: Command): Command {
  return command
    .option('--config <file>', 'config file (default config/default.json)')
    .option('--keys <dir>', 'keys directory (default ./keys)')
    .option('--redis <url>', 'Redis URL')
    .option('--prefix <prefix>', 'Redis key prefix')
    .option('--json', 'print machine-readable output');
}

export function serveCommand(): Command {
  return withBrokerOptions(new Command('serve'))
    .description('run the broker API over mutual TLS, with workers unless --no-workers')
    .option('--port <n>', 'port to listen on (0 = any free port)')
    .option('--queues <list>', 'queues to run workers for', QUEUE_NAMES.join(','))
    .addOption(new Option('--no-workers', 'run the API only'))
    .action(async (flags: BrokerFlags) => {
      const config = loadConfig(flags);
      const server = await startServer(config, {
        workers: flags.workers === false ? [] : parseQueues(flags.queues),
      });
      if (flags.json) printJson({ url: server.url, port: server.port });
      else printLine(`blindbroker broker listening on ${server.url}`);
      await untilSignal();
      await server.stop();
    });
}

export function workerCommand(): Command {
  return withBrokerOptions(new Command('worker'))
    .description('run queue workers only (ingest, match, screen, purge)')
    .option('--queues <list>', 'queues to run workers for', QUEUE_NAMES.join(','))
    .action(async (flags: BrokerFlags) => {
      const config = loadConfig(flags);
      const logger = createLogger(config.logLevel);
      const context = await openBrokerContext(config, logger, createMetrics());
      const queues = parseQueues(flags.queues);
      context.startWorkers(queues);
      if (flags.json) printJson({ queues });
      else printLine(`blindbroker worker running: ${queues.join(', ')}`);
      await untilSignal();
      await context.close();
    });
}
