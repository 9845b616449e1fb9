/**
 * Wires consents, owner policies, matching and screening (DESIGN §3, §4, §6) for one broker process:
 * the purpose registry, the consent and match stores, the services behind the routes and the
 * dependencies of the match and screen workers. The log is read through a getter, so the app can
 * be built before the log is; without a log every logged step fails with LOG_UNAVAILABLE.
 */
import type { Config } from '../config/schema.js';
import { loadPurposeRegistry } from '../consent/purposes.js';
import type { PurposeRegistry } from '../consent/purposes.js';
import { BrokerError } from '../errors.js';
import type { EntryKind } from '../ledger/entry.js';
import type { MatchDeps } from '../match/lookup.js';
import type { FullReceipt, LogAppender, LogReceipt, OnceKey } from '../match/ports.js';
import type { ScreenDeps } from '../match/screening.js';
import { ConsentStore } from '../store/consent-store.js';
import { createMatchKeys } from '../store/keys.js';
import type { KeySpace } from '../store/keys.js';
import { MatchStore } from '../store/match-store.js';
import type { RedisClient } from '../store/redis.js';
import type { IndexKeyer } from '../tokenize/index-key.js';
import { toHex } from '../util/bytes.js';
import { ConsentService } from './consent-service.js';
import { memberVerifyOptions } from './member-signatures.js';
import { PolicyService } from './policy-service.js';

/** What the ledger's LogService returns (leaf hash as bytes); adapted to hex receipts here. */
export interface LedgerLog {
  appendEntry(
    kind: EntryKind,
    body: Record<string, unknown>,
  ): Promise<{ index: number; leafHash: Uint8Array; checkpoint?: string; proof?: string }>;
  appendSequenced(
    kind: EntryKind,
    body: Record<string, unknown>,
    once?: OnceKey,
  ): Promise<{ index: number; leafHash: Uint8Array }>;
}

export interface Matching {
  registry: PurposeRegistry;
  consentStore: ConsentStore;
  store: MatchStore;
  consents: ConsentService;
  policies: PolicyService;
  matchDeps: MatchDeps;
  screenDeps: ScreenDeps;
}

export interface MatchingOptions {
  config: Config;
  caCertPem: string;
  revokedSerials: () => ReadonlySet<string>;
  client: RedisClient;
  keys: KeySpace;
  keyer: IndexKeyer;
  log: () => LedgerLog | undefined;
}

/** An appender over the ledger's LogService, read per call. */
export function logAppender(getLog: () => LedgerLog | undefined): LogAppender {
  const wired = (): LedgerLog => {
    const log = getLog();
    if (!log) throw new BrokerError('LOG_UNAVAILABLE', 'this broker has no transparency log wired');
    return log;
  };
  return {
    async appendSequenced(kind, body, once): Promise<LogReceipt> {
      const r = await wired().appendSequenced(kind, body, once);
      return { index: r.index, leafHash: toHex(r.leafHash) };
    },
    async appendEntry(kind, body): Promise<FullReceipt> {
      const r = await wired().appendEntry(kind, body);
      return {
        index: r.index,
        leafHash: toHex(r.leafHash),
        ...(r.checkpoint === undefined ? {} : { checkpoint: r.checkpoint }),
        ...(r.proof === undefined ? {} : { proof: r.proof }),
      };
    },
  };
}

/** Throws PURPOSES_MISSING / PURPOSES_INVALID for a bad registry, KEYS_* for an incomplete keys dir. */
export async function createMatching(options: MatchingOptions): Promise<Matching> {
  const { config, client, keys, keyer } = options;
  const registry = loadPurposeRegistry(config.purposesFile);
  const matchKeys = createMatchKeys(config.redis.prefix);
  const consentStore = new ConsentStore(client, matchKeys);
  const store = new MatchStore(client, keys, matchKeys);
  const verifyOptions = await memberVerifyOptions(config.keysDir, options.caCertPem, options.revokedSerials);
  const log = logAppender(options.log);
  const now = (): Date => new Date();
  const index = {
    indexKeyOf: (token: string) => keyer.indexKeyOf(token),
    find: store.find.bind(store),
    screenHits: store.screenHits.bind(store),
    owners: store.owners.bind(store),
  };
  const rowsTtl = config.queue.keepJobsSeconds;
  return {
    registry,
    consentStore,
    store,
    consents: new ConsentService({ registry, store: consentStore, log, events: store, verifyOptions, now }),
    policies: new PolicyService({ store, log, verifyOptions }),
    matchDeps: {
      registry,
      consents: consentStore,
      index,
      policies: store,
      log,
      receipts: store,
      events: store,
      now,
    },
    screenDeps: {
      registry,
      consents: consentStore,
      index,
      policies: store,
      log,
      receipts: store,
      rows: {
        drop: (jobId) => store.dropScreenRows(jobId),
        append: (jobId, rows) =>
          rows.length === 0
            ? Promise.resolve()
            : store.appendScreenRows(jobId, rows.map((r) => JSON.stringify(r)).join('\n') + '\n', rowsTtl),
      },
      now,
    },
  };
}
