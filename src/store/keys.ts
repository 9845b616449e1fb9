/**
 * The only module that spells Redis key names (STYLE: one key module, as BullMQ's queue-keys).
 *
 * Everything one owner (member) holds lives under the Redis Cluster hash tag `{o:<owner>}`, so the
 * multi-key steps of ingest, withdraw and purge stay on one slot (DESIGN §9). Lookups fan out over
 * the few owners listed in the `owners` set. BullMQ's own keys get the prefix `<prefix>:q`, and
 * each queue name is wrapped in a hash tag so all of one queue's keys share a slot too.
 *
 * Index layout (DESIGN §2 re-keying): an owner's index is 2^bits hash buckets; a bucket is picked
 * by the top bits of the index key, the field is the index key and the value the record ids that
 * carry it. Small buckets stay listpack-encoded, which is what keeps memory near 60 bytes a token.
 */
import { BrokerError } from '../errors.js';

const OWNER_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
const B64URL_VALUE = /^[A-Za-z0-9_-]+$/;
const B64URL_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** Throws BAD_ID when an owner id could break out of its hash tag or key segment. */
export function checkOwnerId(owner: string): string {
  if (typeof owner !== 'string' || !OWNER_ID.test(owner)) {
    throw new BrokerError('BAD_ID', 'owner id must be 1-64 letters, digits, dot, underscore or hyphen', {
      field: 'member',
    });
  }
  return owner;
}

/** Bucket number of an index key: its first 24 bits (4 base64url chars), top `bits` of them. */
export function bucketOf(indexKey: string, bits: number): string {
  if (!B64URL_VALUE.test(indexKey) || indexKey.length < 4) throw new RangeError('index key is not base64url');
  let n = 0;
  for (let i = 0; i < 4; i++) n = n * 64 + B64URL_ALPHABET.indexOf(indexKey.charAt(i));
  return (n >>> (24 - bits)).toString(36);
}

export interface KeySpace {
  readonly prefix: string;
  /** BullMQ's `prefix` option: every queue key starts with it. */
  readonly queuePrefix: string;
  /** Queue name for BullMQ; the braces make it a hash tag so one queue's keys share a slot. */
  queueName(name: 'ingest' | 'purge' | 'match' | 'screen'): string;
  /** Set of owner ids that hold records (purge and lookups fan out over it). */
  owners(): string;
  /** String `<batchId>\n<stored record JSON>` of one record. */
  record(owner: string, recordId: string): string;
  /** `record(owner, id)` without the id: Lua scripts that find record ids in an index bucket. */
  recordPrefix(owner: string): string;
  /** Sorted set recordId → expiry (ms since epoch), read by purge. */
  expiries(owner: string): string;
  /** Hash bucket of the owner's index holding `indexKey`. */
  indexBucket(owner: string, indexKey: string): string;
  /** Hash with one submission's state and counts. */
  submission(owner: string, batchId: string): string;
  /** Sorted set batchId → accepted-at (ms): the owner's submissions, oldest first. */
  submissions(owner: string): string;
  /** List of staged body chunks of one upload, read by the ingest worker. */
  stage(owner: string, uploadId: string): string;
  /** MATCH pattern for SCAN over every key under the prefix (tests, PII scan, cleanup). */
  everything(): string;
}

/** Builds the key space under `prefix`; `bucketBits` sizes the index buckets. */
export function createKeySpace(prefix: string, bucketBits: number): KeySpace {
  const tag = (owner: string): string => `${prefix}:{o:${checkOwnerId(owner)}}`;
  return {
    prefix,
    queuePrefix: `${prefix}:q`,
    queueName: (name) => `{${name}}`,
    owners: () => `${prefix}:owners`,
    record: (owner, recordId) => `${tag(owner)}:r:${recordId}`,
    recordPrefix: (owner) => `${tag(owner)}:r:`,
    expiries: (owner) => `${tag(owner)}:exp`,
    indexBucket: (owner, indexKey) => `${tag(owner)}:ix:${bucketOf(indexKey, bucketBits)}`,
    submission: (owner, batchId) => `${tag(owner)}:s:${batchId}`,
    submissions: (owner) => `${tag(owner)}:subs`,
    stage: (owner, uploadId) => `${tag(owner)}:stage:${uploadId}`,
    everything: () => `${prefix}:*`,
  };
}

// ─── Transparency log (DESIGN §5) ────────────────────────────────────────────────────────────────
// Every log key carries the one hash tag `{log}`: the sequencer's commit is a multi-key Lua step
// (head, lease, pending stream, acks, entry and node chunks) and must stay on one slot (DESIGN §9).

export interface LogKeys {
  readonly prefix: string;
  /** Hash: `size` (decimal), `root` (32 bytes), `frontier` (concatenated 32-byte hashes). */
  head(): string;
  /** String `<fencing token>:<instance>` with a TTL: the one sequencer's lease. */
  lease(): string;
  /** Counter: the last fencing token handed out. */
  fence(): string;
  /** Stream of acknowledged, not yet sequenced entries (field `e` = canonical entry JSON). */
  pending(): string;
  /** Sorted set pending id → index of the recently sequenced entries (waitSequenced). */
  acks(): string;
  /** Pub/sub channel on which the sequencer announces each commit (the new size). */
  sequenced(): string;
  /** Hash item → `<pending id> <leaf hash hex>`: the entries one job appended once (idempotency). */
  once(job: string): string;
  /** List of the canonical entries `chunk·n … chunk·n + n − 1`. */
  entries(chunk: number): string;
  /** String of the packed 32-byte hashes of complete nodes at `level`, one chunk of indexes. */
  nodes(level: number, chunk: number): string;
  /** Hash: `size`, `text` of the latest signed checkpoint, `at` (ms) when it was last issued. */
  checkpoint(): string;
  /** Sorted set tree size → signed checkpoint text: every checkpoint ever issued. */
  checkpoints(): string;
  /** Hash: `size`, `text` of the latest checkpoint note carrying witness cosignatures. */
  cosigned(): string;
  /** MATCH pattern for SCAN over every log key. */
  everything(): string;
}

/** The log's key space under `prefix`. */
export function createLogKeys(prefix: string): LogKeys {
  const tag = `${prefix}:{log}`;
  const whole = (n: number, what: string): number => {
    if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`${what} must be a non-negative integer`);
    return n;
  };
  return {
    prefix,
    head: () => `${tag}:head`,
    lease: () => `${tag}:lease`,
    fence: () => `${tag}:fence`,
    pending: () => `${tag}:pending`,
    acks: () => `${tag}:acks`,
    sequenced: () => `${tag}:sequenced`,
    once: (job) => `${tag}:once:${checkPart(job, JOB_ID, 'jobId')}`,
    entries: (chunk) => `${tag}:e:${whole(chunk, 'entry chunk')}`,
    nodes: (level, chunk) => `${tag}:n:${whole(level, 'node level')}:${whole(chunk, 'node chunk')}`,
    checkpoint: () => `${tag}:cp`,
    checkpoints: () => `${tag}:cps`,
    cosigned: () => `${tag}:cosigned`,
    everything: () => `${tag}:*`,
  };
}

// ─── Consents, owner policies, matching and the usage feed (DESIGN §3, §4, §6) ──────────────────
// A consent's keys share the hash tag `{c:<consentId>}` (its use is checked and counted in one Lua
// step); a member's policy, consent list and event feed live under its owner tag `{o:<member>}`;
// a job's disclosure receipts and screening rows under `{j:<jobId>}`.

const CONSENT_ID = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$/;
const JOB_ID = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$/;

function checkPart(value: string, pattern: RegExp, field: string): string {
  if (typeof value !== 'string' || !pattern.test(value)) {
    throw new BrokerError(
      'BAD_ID',
      `${field} must be 1-128 letters, digits, dot, colon, underscore or hyphen`,
      {
        field,
      },
    );
  }
  return value;
}

export interface MatchKeys {
  /** Hash of one consent: `signed` (signed grant JSON), `tokens` (subject tokens JSON), `receipt`. */
  consent(consentId: string): string;
  /** Hash: the consent's stored lifecycle state (status, lastRequestAt, sequenced, …). */
  consentState(consentId: string): string;
  /** Hash: `interval`, `count`, `total`, `lastUsedAt`, and `job:<jobId>` markers of counted uses. */
  consentUsage(consentId: string): string;
  /** Set of owners whose records were released under the consent (told when it is revoked). */
  consentOwners(consentId: string): string;
  /** Sorted set consentId → granted-at (ms): the member's consents. */
  consentsOf(member: string): string;
  /** String: the member's signed policy and its version, as JSON. */
  policy(member: string): string;
  /** Stream: the member's usage feed (releases of its records, revocations). */
  events(member: string): string;
  /** Hash recordId → 1: the member's release events one job already published (idempotency). */
  eventMarks(member: string, jobId: string): string;
  /** Hash record key → disclosure receipt JSON, per job (a retried job reuses them). */
  disclosures(jobId: string): string;
  /** List of a screening job's reported rows, as NDJSON chunks in order. */
  screenRows(jobId: string): string;
  /** Index bucket number `bucket` (0 … 2^bits − 1) of an owner, as KeySpace.indexBucket names it. */
  indexBucketAt(owner: string, bucket: number): string;
}

/** The matching key space under `prefix`. */
export function createMatchKeys(prefix: string): MatchKeys {
  const consent = (id: string): string => `${prefix}:{c:${checkPart(id, CONSENT_ID, 'consentId')}}`;
  const owner = (id: string): string => `${prefix}:{o:${checkOwnerId(id)}}`;
  const job = (id: string): string => `${prefix}:{j:${checkPart(id, JOB_ID, 'jobId')}}`;
  return {
    consent: (id) => `${consent(id)}:doc`,
    consentState: (id) => `${consent(id)}:state`,
    consentUsage: (id) => `${consent(id)}:use`,
    consentOwners: (id) => `${consent(id)}:owners`,
    consentsOf: (member) => `${owner(member)}:consents`,
    policy: (member) => `${owner(member)}:policy`,
    events: (member) => `${owner(member)}:events`,
    eventMarks: (member, id) => `${owner(member)}:evj:${checkPart(id, JOB_ID, 'jobId')}`,
    disclosures: (id) => `${job(id)}:disc`,
    screenRows: (id) => `${job(id)}:rows`,
    indexBucketAt: (id, bucket) => `${owner(id)}:ix:${bucket.toString(36)}`,
  };
}
