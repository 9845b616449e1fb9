/**
 * A worker process for the SIGKILL test: runs the ingest worker of the config in BB_TEST_CONFIG,
 * with every stored chunk slowed down so that the test can kill it mid-batch.
 */
import { configSchema } from '../../src/config/schema.js';
import { createLogger } from '../../src/ops/logger.js';
import { createMetrics } from '../../src/ops/metrics.js';
import { openBrokerContext } from '../../src/service/broker-context.js';

const config = configSchema.parse(JSON.parse(process.env.BB_TEST_CONFIG ?? '{}'));
const context = await openBrokerContext(config, createLogger('warn'), createMetrics(false));
const store = context.records.storeChunk.bind(context.records);
context.records.storeChunk = async (...args) => {
  await new Promise((resolve) => setTimeout(resolve, 30));
  return store(...args);
};
context.startWorkers(['ingest']);
process.stdout.write('ready\n');
