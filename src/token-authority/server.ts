/**
 * Starts the token authority: HTTPS with mutual TLS (RFC 8446 §4.3.2: requestCert and
 * rejectUnauthorized against the consortium CA only) around the app, an OPRF worker pool for the
 * RFC 9497 evaluations, and the counters store. `stop()` stops accepting connections, finishes the
 * requests in flight, writes the counters and stops the worker threads.
 */
import { promises as fs } from 'node:fs';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { createOprfPool } from '../crypto/oprf-pool.js';
import * as layout from '../keys/layout.js';
import { loadTokenAuthority, readNoteKeyPair } from '../keys/load.js';
import { createLogger } from '../ops/logger.js';
import type { Logger } from '../ops/logger.js';
import { createTokenAuthorityApp, DEFAULT_MAX_BATCH } from './app.js';
import { EvaluationCounters } from './counters.js';
import { loadOprfKeyRing } from './key-files.js';
import type { OprfKeyRing } from './key-files.js';
import { DEFAULT_LIMITS, MemberLimiter } from './limits.js';
import type { LimitOptions } from './limits.js';

export interface TokenAuthorityOptions {
  keysDir: string;
  host?: string;
  /** 0 = any free port. */
  port?: number;
  limits?: Partial<LimitOptions>;
  maxBatch?: number;
  /** Evaluation threads; default one per core. */
  threads?: number;
  logger?: Logger;
  now?: () => number;
}

export interface RunningTokenAuthority {
  url: string;
  port: number;
  stop(): Promise<void>;
}

/** Re-reads the key file when its modification time changes (checked at most once a second). */
function keyRingReader(keysDir: string, first: OprfKeyRing): () => Promise<OprfKeyRing> {
  const file = layout.tokenAuthorityPaths(keysDir).oprfKeys;
  let ring = first;
  let mtime = 0;
  let checkedAt = 0;
  return async () => {
    if (Date.now() - checkedAt < 1000) return ring;
    checkedAt = Date.now();
    const stat = await fs.stat(file);
    if (mtime !== 0 && stat.mtimeMs !== mtime) ring = await loadOprfKeyRing(keysDir);
    mtime = stat.mtimeMs;
    return ring;
  };
}

/** Throws KEYS_MISSING / KEYS_MALFORMED for a keys dir without the authority's files. */
export async function startTokenAuthority(options: TokenAuthorityOptions): Promise<RunningTokenAuthority> {
  const logger = options.logger ?? createLogger('info');
  const paths = layout.tokenAuthorityPaths(options.keysDir);
  const [identity, ring, counterKey] = await Promise.all([
    loadTokenAuthority(options.keysDir),
    loadOprfKeyRing(options.keysDir),
    readNoteKeyPair(paths.counterKey),
  ]);
  const counters = new EvaluationCounters(paths.countersDir);
  const pool = createOprfPool({
    ...(options.threads === undefined ? {} : { threads: options.threads }),
    inlineBelow: 8,
  });
  const app = createTokenAuthorityApp({
    authorityId: identity.id,
    caCertPem: identity.caCertPem,
    revokedSerials: () => identity.revokedSerials,
    keyRing: keyRingReader(options.keysDir, ring),
    counterKey,
    counters,
    limiter: new MemberLimiter({ ...DEFAULT_LIMITS, ...options.limits }),
    pool,
    maxBatch: options.maxBatch ?? DEFAULT_MAX_BATCH,
    logger,
    ...(options.now ? { now: options.now } : {}),
  });
  const server = createServer(
    {
      cert: identity.tls.certPem,
      key: identity.tls.keyPem,
      ca: identity.caCertPem,
      requestCert: true,
      rejectUnauthorized: true,
      minVersion: 'TLSv1.2',
    },
    app,
  );
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const url = `https://${host.includes(':') ? `[${host}]` : host}:${port}`;
  logger.info({ url, epoch: ring.current }, 'token authority listening');
  let stopping: Promise<void> | undefined;
  return {
    url,
    port,
    stop() {
      stopping ??= (async () => {
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        await closed;
        await counters.flush();
        await pool.close();
      })();
      return stopping;
    },
  };
}
