/**
 * The transparency log's Redis storage (DESIGN §5, RFC 9162 §2.1). Key names come from
 * src/store/keys.ts (`LogKeys`, all under the `{log}` hash tag); scripts from src/store/lua/.
 *
 * Layout, chosen for memory at millions of entries:
 * - entries: lists of ENTRY_CHUNK canonical JSON texts (listpack-packed, a few bytes of overhead
 *   each); a range read is one LRANGE per chunk;
 * - complete-node hashes (tree-nodes.ts addressing; level 0 = leaf hashes): one string per
 *   (level, NODE_CHUNK indexes) packing the 32-byte hashes end to end. Nodes of a level are
 *   created strictly in index order, so a commit APPENDs; 1,000,000 entries hold ~2,000,000
 *   nodes = 64 MB with almost no per-node overhead;
 * - head: size, root and frontier, advanced only by the commit script together with the nodes.
 * The commit script's replies are mapped to meanings here and nowhere else.
 *
 * A complete node never changes once stored (the log only appends), so `readNodes` keeps the
 * nodes of the upper levels it has read in memory: every proof passes through the same few
 * thousand of them, while the lower levels, spread over millions of nodes, are read from Redis.
 */
import { RESP_TYPES } from 'redis';
import { BrokerError } from '../errors.js';
import type { LogKeys } from '../store/keys.js';
import type { RedisClient } from '../store/redis.js';
import { runScript } from '../store/scripts.js';
import { HASH_SIZE } from './merkle.js';
import type { NodeReader } from './proofs.js';
import type { AppendResult, NodeId } from './tree-nodes.js';

export const ENTRY_CHUNK = 1024;
export const NODE_CHUNK = 4096;
/** Nodes at this level or above (each covering ≥ 64 leaves) are kept in memory once read. */
export const CACHED_NODE_LEVEL = 6;
/**
 * At most this many cached nodes by default (~10 MB). Past it the lowest cached level is dropped,
 * so a tree too large to keep whole keeps its upper levels, which every proof passes through.
 */
export const MAX_CACHED_NODES = 100_000;
/** How many recent pending-id → index acknowledgements the log keeps for `waitSequenced`. */
export const ACKS_KEPT = 1_000_000;
/** How long a job's once-only appends are remembered (a retry comes within minutes). */
export const ONCE_KEPT_SECONDS = 86_400;

export interface LogHead {
  readonly size: number;
  readonly root: Uint8Array | undefined;
  /** Hashes of `frontierNodeIds(size)`. */
  readonly frontier: Uint8Array[];
}

export interface PendingItem {
  /** The id the producer got back (a Redis stream id). */
  readonly id: string;
  readonly text: string;
}

export interface CommitInput {
  /** The lease value the sequencer holds (fencing). */
  readonly lease: string;
  readonly expectedSize: number;
  readonly append: AppendResult;
  /** Canonical entry texts, in index order: expectedSize, expectedSize + 1, … */
  readonly entries: readonly string[];
  /** Every pending item consumed, with its index or -1 when it was dropped as malformed. */
  readonly pending: ReadonlyArray<{ id: string; index: number }>;
}

/** An entry to log at most once: `item` names it within its job. */
export interface OnceItem {
  readonly item: string;
  readonly text: string;
  readonly leafHashHex: string;
}

/** The entry holding an item: the one just added, or the first attempt's. */
export interface OnceHeld {
  readonly pendingId: string;
  readonly leafHashHex: string;
  readonly added: boolean;
}

export type CommitOutcome = 'committed' | 'stale-size' | 'lease-lost';

function damaged(message: string): BrokerError {
  return new BrokerError('LOG_STORAGE', message, {
    hint: 'the log storage in Redis is damaged; restore it from its AOF or backup',
  });
}

function bytes(value: unknown): Uint8Array {
  return Buffer.isBuffer(value)
    ? new Uint8Array(value.buffer, value.byteOffset, value.byteLength)
    : new Uint8Array(0);
}

/** Splits packed 32-byte hashes. Throws LOG_STORAGE when the length is not `count` hashes. */
export function unpackHashes(packed: Uint8Array, count: number): Uint8Array[] {
  if (packed.length !== count * HASH_SIZE)
    throw damaged(`expected ${count} stored hashes, got ${packed.length} bytes`);
  return Array.from({ length: count }, (_, i) => packed.subarray(i * HASH_SIZE, (i + 1) * HASH_SIZE));
}

/**
 * Items of a raw XREAD reply on the one pending stream: RESP2 `[[key, [[id, [field, value…]]…]]]`,
 * RESP3 `{key: [[id, [field, value…]]…]}`; null when the block timed out.
 */
function parseXRead(reply: unknown): PendingItem[] {
  let items: unknown;
  if (Array.isArray(reply)) items = Array.isArray(reply[0]) ? (reply[0] as unknown[])[1] : undefined;
  else if (reply instanceof Map) items = [...(reply as Map<unknown, unknown>).values()][0];
  else if (reply !== null && typeof reply === 'object') items = Object.values(reply)[0];
  if (!Array.isArray(items)) return [];
  return items.map((item: unknown) => {
    const [id, fields] = Array.isArray(item) ? (item as [unknown, unknown]) : [undefined, undefined];
    const list = Array.isArray(fields) ? fields.map(String) : [];
    const at = list.indexOf('e');
    return { id: String(id), text: at >= 0 && at % 2 === 0 ? (list[at + 1] ?? '') : '' };
  });
}

export class LogStore implements NodeReader {
  readonly #client: RedisClient;
  readonly #binary;
  /** Upper-level complete nodes already read (immutable once stored): index → hash, per level. */
  readonly #upper: Array<Map<number, Uint8Array> | undefined> = [];
  #cachedNodes = 0;
  readonly #maxCachedNodes: number;
  readonly keys: LogKeys;

  constructor(client: RedisClient, keys: LogKeys, options: { maxCachedNodes?: number } = {}) {
    this.#client = client;
    this.#binary = client.withTypeMapping({ [RESP_TYPES.BLOB_STRING]: Buffer });
    this.keys = keys;
    this.#maxCachedNodes = options.maxCachedNodes ?? MAX_CACHED_NODES;
  }

  /** How many upper-level nodes are held in memory (at most `maxCachedNodes`). */
  get cachedNodes(): number {
    return this.#cachedNodes;
  }

  get client(): RedisClient {
    return this.#client;
  }

  /** Size, root and frontier as last committed. Throws LOG_STORAGE when they disagree. */
  async head(): Promise<LogHead> {
    const [size, root, frontier] = await this.#binary.hmGet(this.keys.head(), ['size', 'root', 'frontier']);
    const n = size ? Number(size.toString()) : 0;
    if (!Number.isSafeInteger(n) || n < 0) throw damaged('the stored log size is not an integer');
    if (n === 0) return { size: 0, root: undefined, frontier: [] };
    const rootBytes = bytes(root);
    if (rootBytes.length !== HASH_SIZE) throw damaged('the stored root is not 32 bytes');
    const packed = bytes(frontier);
    return { size: n, root: rootBytes, frontier: unpackHashes(packed, packed.length / HASH_SIZE) };
  }

  /**
   * Complete-node hashes (NodeReader): upper-level nodes from memory, the rest in one round trip.
   * Throws LOG_STORAGE for a missing node.
   */
  async readNodes(ids: readonly NodeId[]): Promise<Uint8Array[]> {
    const out: Uint8Array[] = new Array<Uint8Array>(ids.length);
    const missing: number[] = [];
    ids.forEach((id, i) => {
      const cached = this.#upper[id.level]?.get(id.index);
      if (cached === undefined) missing.push(i);
      else out[i] = cached;
    });
    if (missing.length === 0) return out;
    const keys: string[] = [];
    const offsets: string[] = [];
    for (const i of missing) {
      const id = ids[i] as NodeId;
      keys.push(this.keys.nodes(id.level, Math.floor(id.index / NODE_CHUNK)));
      offsets.push(String((id.index % NODE_CHUNK) * HASH_SIZE));
    }
    const reply = await runScript(this.#binary as unknown as RedisClient, 'log-read-nodes-1', keys, offsets);
    const hashes = unpackHashes(bytes(reply), missing.length);
    missing.forEach((i, k) => {
      const id = ids[i] as NodeId;
      const hash = hashes[k] as Uint8Array;
      out[i] = hash;
      if (id.level >= CACHED_NODE_LEVEL) this.#remember(id, hash.slice());
    });
    return out;
  }

  #remember(id: NodeId, hash: Uint8Array): void {
    let level = this.#upper[id.level];
    if (level === undefined) this.#upper[id.level] = level = new Map();
    if (!level.has(id.index)) this.#cachedNodes++;
    level.set(id.index, hash);
    if (this.#cachedNodes <= this.#maxCachedNodes) return;
    const lowest = this.#upper.find((nodes) => nodes !== undefined && nodes.size > 0);
    this.#cachedNodes -= lowest?.size ?? 0;
    lowest?.clear();
  }

  /** Canonical entry texts of indexes [start, end). Throws LOG_STORAGE when one is missing. */
  async readEntries(start: number, end: number): Promise<string[]> {
    const reads: Array<Promise<string[]>> = [];
    for (let pos = start; pos < end;) {
      const chunk = Math.floor(pos / ENTRY_CHUNK);
      const stop = Math.min(end, (chunk + 1) * ENTRY_CHUNK);
      reads.push(this.#client.lRange(this.keys.entries(chunk), pos % ENTRY_CHUNK, (stop - 1) % ENTRY_CHUNK));
      pos = stop;
    }
    const out = (await Promise.all(reads)).flat();
    if (out.length !== Math.max(0, end - start))
      throw damaged(`entries [${start}, ${end}) are not all stored`);
    return out;
  }

  /**
   * The sequencer's atomic step (log-commit-4.lua). Returns 'stale-size' when the log is no longer
   * at `expectedSize` (a replay is refused) and 'lease-lost' when the caller's lease is gone.
   * Throws LOG_STORAGE when stored chunk lengths disagree with the size (nothing is written).
   */
  async commit(input: CommitInput): Promise<CommitOutcome> {
    const { append, expectedSize, entries } = input;
    if (append.size !== expectedSize + entries.length) {
      throw new RangeError(`the append ends at ${append.size}, not ${expectedSize} + ${entries.length}`);
    }
    const entryKeys: string[] = [];
    const entryArgs: string[] = [];
    for (let pos = expectedSize; pos < append.size;) {
      const chunk = Math.floor(pos / ENTRY_CHUNK);
      const stop = Math.min(append.size, (chunk + 1) * ENTRY_CHUNK);
      entryKeys.push(this.keys.entries(chunk));
      entryArgs.push(String(pos % ENTRY_CHUNK), String(stop - pos));
      pos = stop;
    }
    const nodeKeys: string[] = [];
    const nodeArgs: Array<string | Buffer> = [];
    // Nodes of one level arrive in index order; group each run that shares a chunk string.
    const runs = new Map<string, { first: number; hashes: Uint8Array[] }>();
    for (const node of append.nodes) {
      const key = this.keys.nodes(node.level, Math.floor(node.index / NODE_CHUNK));
      const run = runs.get(key);
      if (run) run.hashes.push(node.hash);
      else runs.set(key, { first: node.index, hashes: [node.hash] });
    }
    for (const [key, run] of runs) {
      nodeKeys.push(key);
      nodeArgs.push(String((run.first % NODE_CHUNK) * HASH_SIZE), Buffer.concat(run.hashes));
    }
    const pendingArgs = input.pending.flatMap((p) => [p.id, String(p.index)]);
    const reply = await runScript(
      this.#client,
      'log-commit-4',
      [this.keys.head(), this.keys.lease(), this.keys.pending(), this.keys.acks(), ...entryKeys, ...nodeKeys],
      [
        input.lease,
        String(expectedSize),
        String(append.size),
        Buffer.from(append.root),
        Buffer.concat(append.frontier),
        String(entryKeys.length),
        String(nodeKeys.length),
        String(input.pending.length),
        String(ACKS_KEPT),
        ...entryArgs,
        ...nodeArgs,
        ...pendingArgs,
        ...entries,
      ],
    );
    switch (reply) {
      case 1:
        return 'committed';
      case 0:
        return 'stale-size';
      case -1:
        return 'lease-lost';
      case -2:
        throw damaged('a stored entry or node chunk does not match the log size');
      default:
        throw new BrokerError('STORE_REPLY', 'log-commit returned an unexpected reply');
    }
  }

  /** Adds a canonical entry to the pending stream and returns its pending id. */
  async enqueue(text: string): Promise<string> {
    return this.#client.xAdd(this.keys.pending(), '*', { e: text });
  }

  /**
   * Adds canonical entries to the pending stream once per (`job`, item) (log-enqueue-once-2.lua),
   * all in one step. Returns, per item in order, the pending id and leaf hash (hex) of the entry
   * holding it: a retry gets the first attempt's. Throws STORE_REPLY on an unexpected reply.
   */
  async enqueueOnce(job: string, items: readonly OnceItem[]): Promise<OnceHeld[]> {
    const args = [String(ONCE_KEPT_SECONDS)];
    for (const i of items) args.push(i.item, i.text, i.leafHashHex);
    const reply = await runScript(
      this.#client,
      'log-enqueue-once-2',
      [this.keys.pending(), this.keys.once(job)],
      args,
    );
    if (!Array.isArray(reply) || reply.length !== 3 * items.length) {
      throw new BrokerError('STORE_REPLY', 'log-enqueue-once returned an unexpected reply');
    }
    return items.map((_, n) => {
      const [pendingId, leafHashHex, added] = reply.slice(3 * n, 3 * n + 3) as unknown[];
      if (typeof pendingId !== 'string' || typeof leafHashHex !== 'string') {
        throw new BrokerError('STORE_REPLY', 'log-enqueue-once returned an unexpected reply');
      }
      return { pendingId, leafHashHex, added: added === 1 };
    });
  }

  /**
   * The oldest `count` pending items. With `blocking` (a connection of its own: XREAD BLOCK holds
   * it), waits up to `blockMs` for the first item to arrive instead of answering empty at once.
   */
  async pendingBatch(count: number, blocking?: RedisClient, blockMs = 100): Promise<PendingItem[]> {
    if (blocking !== undefined) {
      const reply = await blocking.sendCommand([
        'XREAD',
        'COUNT',
        String(count),
        'BLOCK',
        String(blockMs),
        'STREAMS',
        this.keys.pending(),
        '0-0',
      ]);
      return parseXRead(reply);
    }
    const items = await this.#client.xRange(this.keys.pending(), '-', '+', { COUNT: count });
    return (items ?? []).map((item) => ({
      id: item.id,
      text: String((item.message as Record<string, unknown>).e ?? ''),
    }));
  }

  async pendingCount(): Promise<number> {
    return this.#client.xLen(this.keys.pending());
  }

  /** The index of each pending id, or undefined while pending (or long forgotten): one ZMSCORE. */
  async sequencedIndexes(pendingIds: readonly string[]): Promise<Array<number | undefined>> {
    if (pendingIds.length === 0) return [];
    const scores = await this.#client.zmScore(this.keys.acks(), [...pendingIds]);
    return scores.map((s) => (s === null ? undefined : Number(s)));
  }

  /** Tells waiters (pub/sub) that the log grew to `size`; best effort, never throws. */
  async announce(size: number): Promise<void> {
    await this.#client.publish(this.keys.sequenced(), String(size)).catch(() => undefined);
  }

  /**
   * Takes or renews the sequencer lease (log-lease-2.lua); `held` is the value held so far.
   * Returns the lease value now held, or undefined when another instance holds it.
   */
  async lease(instance: string, leaseMs: number, held = ''): Promise<string | undefined> {
    const reply = await runScript(
      this.#client,
      'log-lease-2',
      [this.keys.lease(), this.keys.fence()],
      [instance, String(leaseMs), held],
    );
    return typeof reply === 'string' ? reply : undefined;
  }

  /** Gives the lease back if still held. */
  async releaseLease(value: string): Promise<void> {
    await runScript(this.#client, 'log-release-1', [this.keys.lease()], [value]);
  }
}
