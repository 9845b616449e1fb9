/**
 * The typed configuration of every blindbroker process, validated at start (zod). No secret has a
 * default: key material is read from the keys directory, never from config files.
 */
import { z } from 'zod';

export const configSchema = z
  .object({
    keysDir: z.string().min(1).default('./keys'),
    redis: z
      .object({
        url: z.string().url().default('redis://127.0.0.1:6379'),
        prefix: z
          .string()
          .regex(/^[A-Za-z0-9:_-]{1,64}$/, 'prefix: 1-64 letters, digits, colon, underscore or hyphen')
          .default('bb'),
        /** A PING unanswered this long drops the store connection (src/store/redis-watchdog.ts). */
        stallMs: z.number().int().min(200).max(600_000).default(5000),
      })
      .strict()
      .default({ url: 'redis://127.0.0.1:6379', prefix: 'bb', stallMs: 5000 }),
    broker: z
      .object({
        url: z.string().url().default('https://127.0.0.1:8443'),
        host: z.string().min(1).default('127.0.0.1'),
        port: z.number().int().min(0).max(65535).default(8443),
        maxBodyBytes: z
          .number()
          .int()
          .positive()
          .default(512 * 1024 * 1024),
      })
      .strict()
      .default({
        url: 'https://127.0.0.1:8443',
        host: '127.0.0.1',
        port: 8443,
        maxBodyBytes: 512 * 1024 * 1024,
      }),
    ingest: z
      .object({
        /** Records validated and written per atomic Redis step. */
        chunkRecords: z.number().int().min(1).max(10000).default(1000),
        /** Size of each staged upload chunk (a Redis list element). */
        stageChunkBytes: z
          .number()
          .int()
          .min(1024)
          .default(1024 * 1024),
        /** Staged uploads not ingested within this time are dropped by Redis (TTL). */
        stageTtlSeconds: z.number().int().positive().default(86400),
        /** Data life when a manifest declares none (DESIGN §3 owner policy: purge after). */
        defaultDataLifeDays: z.number().int().positive().default(1825),
        /** At most this many rejected records are listed in a job result (all are counted). */
        maxRejectsReported: z.number().int().min(0).default(1000),
        /** Index buckets per owner = 2^bits; keeps each bucket a listpack-encoded hash. */
        indexBucketBits: z.number().int().min(4).max(20).default(16),
        /** Threads that validate and re-key record lines (0: the ingest worker's own thread). */
        prepareThreads: z.number().int().min(0).max(64).default(1),
      })
      .strict()
      .prefault({}),
    queue: z
      .object({
        attempts: z.number().int().min(1).default(3),
        backoffMs: z.number().int().min(0).default(1000),
        ingestConcurrency: z.number().int().min(1).default(1),
        /** Match jobs one worker process runs at once (each mostly waits on Redis and the log). */
        matchConcurrency: z.number().int().min(1).default(64),
        lockDurationMs: z.number().int().min(1000).default(30000),
        stalledIntervalMs: z.number().int().min(500).default(30000),
        purgeEveryMs: z.number().int().min(1000).default(3600000),
        /** Finished jobs are kept this long so GET /v1/jobs/:id can answer. */
        keepJobsSeconds: z
          .number()
          .int()
          .positive()
          .default(7 * 86400),
      })
      .strict()
      .prefault({}),
    logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    mappingFile: z.string().min(1).default('config/mappings/default.json'),
    purposesFile: z.string().min(1).default('config/purposes.json'),
  })
  .strict();

export type Config = z.infer<typeof configSchema>;
