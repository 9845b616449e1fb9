/**
 * Prometheus metrics (prom-client, text exposition format 0.0.4): request latency, queue depth
 * and job duration. One registry per broker instance, so tests and several brokers in one process
 * never share counters. Labels carry route templates and queue names only, never ids or values.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface BrokerMetrics {
  registry: Registry;
  requestSeconds: Histogram<'method' | 'route' | 'status'>;
  queueDepth: Gauge<'queue' | 'state'>;
  jobSeconds: Histogram<'queue' | 'outcome'>;
  recordsIngested: Counter<'outcome'>;
}

/** Builds the registry; `defaults` adds the process metrics (CPU, heap, event loop). */
export function createMetrics(defaults = true): BrokerMetrics {
  const registry = new Registry();
  if (defaults) collectDefaultMetrics({ register: registry, prefix: 'blindbroker_' });
  return {
    registry,
    requestSeconds: new Histogram({
      name: 'blindbroker_http_request_duration_seconds',
      help: 'HTTP request latency by route template and status',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [registry],
    }),
    queueDepth: new Gauge({
      name: 'blindbroker_queue_jobs',
      help: 'jobs per queue and state, read when /metrics is scraped',
      labelNames: ['queue', 'state'],
      registers: [registry],
    }),
    jobSeconds: new Histogram({
      name: 'blindbroker_job_duration_seconds',
      help: 'job run time by queue and outcome',
      labelNames: ['queue', 'outcome'],
      buckets: [0.01, 0.05, 0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300],
      registers: [registry],
    }),
    recordsIngested: new Counter({
      name: 'blindbroker_records_ingested_total',
      help: 'records processed by ingest jobs, by outcome',
      labelNames: ['outcome'],
      registers: [registry],
    }),
  };
}
