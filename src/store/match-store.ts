/**
 * Redis side of matching (DESIGN §2 re-keying, §3 owner policy, §6): index lookups fanned out over
 * owners with pipelined reads (node-redis pipelines commands issued together), screening probes
 * (one script per owner per chunk, screen-probe-1.lua), policies in force, per-job disclosure
 * receipts, screening rows and each owner's usage feed (a Redis stream whose entry ids are the
 * feed's cursors; a release is added once per job and record, event-publish-2.lua).
 */
import { BrokerError } from '../errors.js';
import { OverlapCounter } from '../match/overlap.js';
import type { OverlapPair } from '../match/overlap.js';
import type { OwnerPolicy } from '../match/policy.js';
import type { ScreenHit } from '../match/screen.js';
import { IDENTIFIER_TYPES } from '../normalize/schema.js';
import type { IdentifierType } from '../normalize/schema.js';
import type {
  Candidate,
  EventPort,
  LogReceipt,
  PolicyPort,
  ReceiptPort,
  UsageEvent,
} from '../match/ports.js';
import type { SignedObject } from '../signing/signed-object.js';
import type { KeySpace, MatchKeys } from './keys.js';
import type { RedisClient } from './redis.js';
import { runScript } from './scripts.js';

/** Most events kept per member (the oldest are trimmed). */
export const EVENTS_KEPT = 100_000;
/** How long a job's receipts and release marks are kept. */
const JOB_KEPT_SECONDS = 30 * 86_400;
const CURSOR = /^\d{1,20}-\d{1,20}$/;

export interface StoredPolicy {
  version: number;
  policy: OwnerPolicy;
  signed: SignedObject<unknown>;
  receipt: LogReceipt;
}

export interface FeedPage {
  events: Array<UsageEvent & { cursor: string }>;
  /** Pass as `after` to read on; equals the request's `after` when nothing is new. */
  cursor: string;
}

export class MatchStore implements PolicyPort, ReceiptPort, EventPort {
  constructor(
    private readonly client: RedisClient,
    private readonly keys: KeySpace,
    private readonly matchKeys: MatchKeys,
  ) {}

  /**
   * Records of `owners` carrying any of `indexKeys` (each record once): one find-records-1 script
   * per owner, all sent together. Throws STORE_REPLY.
   */
  async find(owners: readonly string[], indexKeys: readonly string[]): Promise<Candidate[]> {
    if (indexKeys.length === 0) return [];
    const replies = await Promise.all(
      owners.map((owner) =>
        runScript(
          this.client,
          'find-records-1',
          indexKeys.map((key) => this.keys.indexBucket(owner, key)),
          [this.keys.recordPrefix(owner), ...indexKeys],
        ),
      ),
    );
    return replies.flatMap((reply, i) => {
      const owner = owners[i] as string;
      if (!Array.isArray(reply) || reply.length % 2 !== 0 || !reply.every((v) => typeof v === 'string')) {
        throw new BrokerError('STORE_REPLY', 'find-records returned an unexpected reply');
      }
      const found: Candidate[] = [];
      for (let n = 0; n < reply.length; n += 2) {
        const raw = reply[n + 1] as string;
        found.push({ owner, recordId: reply[n] as string, value: raw.slice(raw.indexOf('\n') + 1) });
      }
      return found;
    });
  }

  /** Screening probes (IndexPort.screenHits): one screen-probe-1 script per owner. Throws STORE_REPLY. */
  async screenHits(
    owners: readonly string[],
    subjects: ReadonlyArray<Partial<Record<IdentifierType, string>>>,
  ): Promise<ScreenHit[][]> {
    const out: ScreenHit[][] = subjects.map(() => []);
    const replies = await Promise.all(
      owners.map((owner) => {
        const keys: string[] = [];
        const args = [this.keys.recordPrefix(owner)];
        subjects.forEach((subject, n) => {
          IDENTIFIER_TYPES.forEach((type, bit) => {
            const key = subject[type];
            if (key === undefined) return;
            keys.push(this.keys.indexBucket(owner, key));
            args.push(String(n), String(2 ** bit), key);
          });
        });
        return keys.length === 0 ? Promise.resolve([]) : runScript(this.client, 'screen-probe-1', keys, args);
      }),
    );
    replies.forEach((reply, o) => {
      if (!Array.isArray(reply) || reply.length % 3 !== 0) {
        throw new BrokerError('STORE_REPLY', 'screen-probe returned an unexpected reply');
      }
      const owner = owners[o] as string;
      for (let i = 0; i < reply.length; i += 3) {
        const mask = Number(reply[i + 2]);
        out[Number(reply[i])]?.push({
          owner,
          state: String(reply[i + 1]),
          matchedOn: IDENTIFIER_TYPES.filter((_, bit) => (mask & (2 ** bit)) !== 0),
        });
      }
    });
    return out;
  }

  async owners(): Promise<string[]> {
    return this.client.sMembers(this.keys.owners());
  }

  /** The member's policy in force, or undefined. Throws STORE_CORRUPT. */
  async policy(member: string): Promise<StoredPolicy | undefined> {
    const text = await this.client.get(this.matchKeys.policy(member));
    if (text === null) return undefined;
    try {
      return JSON.parse(text) as StoredPolicy;
    } catch {
      throw new BrokerError('STORE_CORRUPT', `the stored policy of ${member} is unreadable`);
    }
  }

  async policies(owners: readonly string[]): Promise<Map<string, OwnerPolicy>> {
    const stored = await Promise.all(owners.map((o) => this.policy(o)));
    const out = new Map<string, OwnerPolicy>();
    stored.forEach((s, i) => {
      const owner = owners[i];
      if (s !== undefined && owner !== undefined) out.set(owner, s.policy);
    });
    return out;
  }

  /** Puts a policy in force; returns the version in force instead when it is not older. */
  async setPolicy(member: string, value: StoredPolicy): Promise<number | undefined> {
    const reply = await runScript(
      this.client,
      'policy-set-1',
      [this.matchKeys.policy(member)],
      [String(value.version), JSON.stringify(value)],
    );
    return reply === -1 ? undefined : Number(reply);
  }

  async get(jobId: string): Promise<Map<string, LogReceipt>> {
    const h = await this.client.hGetAll(this.matchKeys.disclosures(jobId));
    return new Map(Object.entries(h).map(([k, v]) => [k, JSON.parse(v) as LogReceipt]));
  }

  async put(jobId: string, receipts: ReadonlyMap<string, LogReceipt>): Promise<void> {
    const hash = this.matchKeys.disclosures(jobId);
    const fields = Object.fromEntries([...receipts].map(([k, r]) => [k, JSON.stringify(r)]));
    await Promise.all([this.client.hSet(hash, fields), this.client.expire(hash, JOB_KEPT_SECONDS)]);
  }

  async publish(member: string, event: UsageEvent): Promise<void> {
    if (event.type === 'release') {
      await runScript(
        this.client,
        'event-publish-2',
        [this.matchKeys.events(member), this.matchKeys.eventMarks(member, event.jobId)],
        [event.recordId, JSON.stringify(event), String(EVENTS_KEPT), String(JOB_KEPT_SECONDS)],
      );
      return;
    }
    await this.client.xAdd(
      this.matchKeys.events(member),
      '*',
      { e: JSON.stringify(event) },
      { TRIM: { strategy: 'MAXLEN', strategyModifier: '~', threshold: EVENTS_KEPT } },
    );
  }

  /** Events after `after` (exclusive; "0" = from the start), oldest first. Throws BAD_CURSOR. */
  async events(member: string, after: string, limit: number): Promise<FeedPage> {
    if (after !== '0' && !CURSOR.test(after)) {
      throw new BrokerError('BAD_CURSOR', 'after must be a cursor this feed returned, or 0', {
        field: 'after',
      });
    }
    const rows = await this.client.xRange(
      this.matchKeys.events(member),
      `(${after === '0' ? '0-0' : after}`,
      '+',
      {
        COUNT: limit,
      },
    );
    const page = rows ?? [];
    const events = page.map((r) => ({ ...(JSON.parse(r.message.e ?? '{}') as UsageEvent), cursor: r.id }));
    return { events, cursor: page.at(-1)?.id ?? after };
  }

  /**
   * Pairwise overlap of all owners (operator statistics): reads every index bucket of every owner,
   * 256 buckets per pipelined round. `bucketBits` must be the index's (config ingest.indexBucketBits).
   */
  async overlap(bucketBits: number, k: number): Promise<{ k: number; owners: number; pairs: OverlapPair[] }> {
    const counter = new OverlapCounter(await this.owners());
    const owners = counter.owners;
    const total = 2 ** bucketBits;
    for (let first = 0; first < total; first += 256) {
      const buckets = Array.from({ length: Math.min(256, total - first) }, (_, i) => first + i);
      const rows = await Promise.all(
        buckets.map((b) =>
          Promise.all(owners.map((o) => this.client.hGetAll(this.matchKeys.indexBucketAt(o, b)))),
        ),
      );
      for (const row of rows) counter.addBucket(row);
    }
    return { k, owners: owners.length, pairs: counter.report(k) };
  }

  /** Appends reported rows of a screening job (NDJSON text), kept as long as the job. */
  async appendScreenRows(jobId: string, ndjson: string, ttlSeconds: number): Promise<void> {
    const key = this.matchKeys.screenRows(jobId);
    // Sent together: successive appends reach Redis in call order on this one connection.
    await Promise.all([this.client.rPush(key, ndjson), this.client.expire(key, ttlSeconds)]);
  }

  /** Drops the rows of a screening job (a retried job starts over). */
  async dropScreenRows(jobId: string): Promise<void> {
    await this.client.del(this.matchKeys.screenRows(jobId));
  }

  /** The NDJSON chunks of a screening job's rows, in order. */
  async screenRows(jobId: string): Promise<string[]> {
    return this.client.lRange(this.matchKeys.screenRows(jobId), 0, -1);
  }
}
