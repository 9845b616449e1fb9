/**
 * Redis repository for one broker's records, index and submissions (DESIGN §2 re-keying, §6).
 * Stored values hold index keys, declared metadata and sealed envelopes only; never a member's
 * token. Every multi-key step runs in one Lua script on the owner's hash-tag slot.
 */
import { BrokerError } from '../errors.js';
import type { KeySpace } from './keys.js';
import type { RedisClient } from './redis.js';
import { beginOutcome, runScript, storeOutcomes } from './scripts.js';
import type { BeginOutcome, StoreOutcome } from './scripts.js';

/**
 * A validated record ready to store: `value` is the UTF-8 of its stored JSON (bytes, so that a
 * prepare thread hands it over without the main thread encoding it again), `indexKeys` its
 * re-keyed tokens.
 */
export interface PreparedRecord {
  recordId: string;
  value: Buffer;
  indexKeys: string[];
}

/** A stored record as read back (the value after the "<batchId>\n" prefix). */
export interface StoredRecordEntry {
  batchId: string;
  value: string;
}

export interface SubmissionSummary {
  batchId: string;
  state: string;
  createdAt: string;
  records: number;
  accepted: number;
  rejected: number;
  withdrawn: number;
  purged: number;
  expiresAt: string;
}

function toIso(ms: string | undefined): string {
  return new Date(Number(ms ?? 0)).toISOString();
}

export class RecordStore {
  constructor(
    private readonly client: RedisClient,
    private readonly keys: KeySpace,
  ) {}

  /** Opens a submission. Throws BATCH_CONFLICT when the batch id carries another manifest. */
  async beginSubmission(
    owner: string,
    batchId: string,
    digest: string,
    expiresAt: number,
    records: number,
  ): Promise<BeginOutcome> {
    await this.client.sAdd(this.keys.owners(), owner);
    const reply = await runScript(
      this.client,
      'begin-submission-2',
      [this.keys.submission(owner, batchId), this.keys.submissions(owner)],
      [batchId, digest, String(Date.now()), String(expiresAt), String(records)],
    );
    return beginOutcome(reply, batchId);
  }

  /** Stores a chunk of records atomically; one outcome per record, in order. */
  async storeChunk(
    owner: string,
    batchId: string,
    expiresAt: number,
    records: readonly PreparedRecord[],
  ): Promise<StoreOutcome[]> {
    if (records.length === 0) return [];
    const keys = [this.keys.expiries(owner)];
    const args: Array<string | Buffer> = [batchId, String(expiresAt)];
    for (const record of records) {
      keys.push(this.keys.record(owner, record.recordId));
      args.push(record.recordId, record.value, String(record.indexKeys.length));
      for (const indexKey of record.indexKeys) {
        keys.push(this.keys.indexBucket(owner, indexKey));
        args.push(indexKey);
      }
    }
    return storeOutcomes(await runScript(this.client, 'store-records-1', keys, args), records.length);
  }

  /** Records the result once; returns the result that stands (the first written). */
  async finishSubmission(
    owner: string,
    batchId: string,
    digest: string,
    result: string,
    accepted: number,
    rejected: number,
  ): Promise<string> {
    const reply = await runScript(
      this.client,
      'finish-submission-1',
      [this.keys.submission(owner, batchId)],
      [digest, result, String(accepted), String(rejected), String(Date.now())],
    );
    if (typeof reply !== 'string') {
      throw new BrokerError('SUBMISSION_GONE', `submission ${batchId} vanished while it was ingested`);
    }
    return reply;
  }

  /** The stored result JSON of a finished submission. */
  async submissionResult(owner: string, batchId: string): Promise<string | undefined> {
    return (await this.client.hGet(this.keys.submission(owner, batchId), 'result')) ?? undefined;
  }

  /** The owner's submissions, newest first, with their counts. */
  async listSubmissions(owner: string, limit = 100): Promise<SubmissionSummary[]> {
    const ids = await this.client.zRange(this.keys.submissions(owner), 0, limit - 1, { REV: true });
    const rows = await Promise.all(ids.map((id) => this.client.hGetAll(this.keys.submission(owner, id))));
    return rows.map((h, i) => ({
      batchId: ids[i] ?? '',
      state: h.state ?? 'unknown',
      createdAt: toIso(h.createdAt),
      records: Number(h.records ?? 0),
      accepted: Number(h.accepted ?? 0),
      rejected: Number(h.rejected ?? 0),
      withdrawn: Number(h.withdrawn ?? 0),
      purged: Number(h.purged ?? 0),
      expiresAt: toIso(h.expiresAt),
    }));
  }

  /** Reads one stored record, or undefined. */
  async getRecord(owner: string, recordId: string): Promise<StoredRecordEntry | undefined> {
    const raw = await this.client.get(this.keys.record(owner, recordId));
    if (raw === null) return undefined;
    const cut = raw.indexOf('\n');
    return { batchId: raw.slice(0, cut), value: raw.slice(cut + 1) };
  }

  /**
   * Deletes one record and its index entries; false when it does not exist. `reason` names the
   * submission counter to increment. Throws STORE_CORRUPT when the stored value is unreadable.
   */
  async deleteRecord(owner: string, recordId: string, reason: 'withdrawn' | 'purged'): Promise<boolean> {
    for (let attempt = 0; attempt < 3; attempt++) {
      const entry = await this.getRecord(owner, recordId);
      if (!entry) {
        await this.client.zRem(this.keys.expiries(owner), recordId);
        return false;
      }
      const indexKeys = indexKeysOf(entry.value);
      const reply = await runScript(
        this.client,
        'delete-record-3',
        [
          this.keys.expiries(owner),
          this.keys.record(owner, recordId),
          this.keys.submission(owner, entry.batchId),
          ...indexKeys.map((k) => this.keys.indexBucket(owner, k)),
        ],
        [recordId, entry.batchId, reason, ...indexKeys],
      );
      if (reply === 1) return true;
    }
    return false;
  }

  /** Record ids whose data life ended at or before `now`. */
  async expiredRecordIds(owner: string, now: number, limit: number): Promise<string[]> {
    return this.client.zRangeByScore(this.keys.expiries(owner), '-inf', now, {
      LIMIT: { offset: 0, count: limit },
    });
  }

  /** Owners that ever stored a record. */
  async owners(): Promise<string[]> {
    return this.client.sMembers(this.keys.owners());
  }

  /** Looks up the record ids of an owner that carry `indexKey` (for match and for tests). */
  async recordIdsFor(owner: string, indexKey: string): Promise<string[]> {
    const value = await this.client.hGet(this.keys.indexBucket(owner, indexKey), indexKey);
    return value ? value.split('|') : [];
  }
}

function indexKeysOf(value: string): string[] {
  try {
    const parsed = JSON.parse(value) as { indexKeys?: Record<string, string> };
    return Object.values(parsed.indexKeys ?? {});
  } catch (cause) {
    throw new BrokerError('STORE_CORRUPT', 'a stored record is not JSON', { cause });
  }
}
