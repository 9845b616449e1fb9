/**
 * The one sequencer of DESIGN §5: takes acknowledged entries from the pending stream in order,
 * computes their RFC 9162 §2.1.1 leaf hashes and the new complete nodes and root in Node (Lua has
 * no SHA-256), and commits them with ONE script (log-store.ts `commit`) that checks the lease
 * (fencing token) and the expected size, then advances entries, nodes, frontier, size and root and
 * removes the sequenced pending items, all atomically.
 *
 * Crash safety follows from that step: dying before a commit leaves the pending items in place;
 * dying after it leaves nothing to redo, and a replay of a commit is refused by the size check.
 * A second instance waits for the lease; a crashed holder's lease expires after `leaseMs`.
 *
 * Latency: while running, the sequencer reads the pending stream with XREAD BLOCK on a connection
 * of its own, so it wakes as soon as an entry arrives instead of polling; after each commit it
 * announces the new size on the log's pub/sub channel, so waiters (sequenced-waiter.ts) look at
 * once. Neither changes what is committed: the commit step above is the only write.
 */
import { randomId } from '../crypto/random.js';
import type { RedisClient } from '../store/redis.js';
import { entryLeafHash, parseEntry } from './entry.js';
import type { LogHead, LogStore } from './log-store.js';
import type { SequencedItem } from './sequenced-waiter.js';
import { appendLeaves } from './tree-nodes.js';

export interface SequencerOptions {
  /** Names this instance in its lease; random by default. */
  readonly instance?: string;
  /** Lease duration; renewed every third of it. Default 5000 ms. */
  readonly leaseMs?: number;
  /** Most pending items per commit. Default 1000. */
  readonly batchMax?: number;
  /** Longest wait for a new entry while the pending stream is empty (XREAD BLOCK). Default 100 ms. */
  readonly idleMs?: number;
  /** Told about a malformed pending item that was dropped unsequenced (never expected). */
  readonly onDrop?: (pendingId: string, err: unknown) => void;
  /** Told about a failed step (Redis down, damaged storage); the loop backs off and retries. */
  readonly onError?: (err: unknown) => void;
  /**
   * Told, right after each commit, which pending ids got which index and leaf hash, so waiters
   * in this process can be answered without a round trip (others learn it from Redis).
   */
  readonly onSequenced?: (sequenced: readonly SequencedItem[]) => void;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export class Sequencer {
  readonly #store: LogStore;
  readonly #instance: string;
  readonly #leaseMs: number;
  readonly #batchMax: number;
  readonly #idleMs: number;
  readonly #options: SequencerOptions;
  #lease: string | undefined;
  #leaseRenewedAt = 0;
  #head: LogHead | undefined;
  #loop: Promise<void> | undefined;
  #running = false;
  /** The blocking connection of `start()`; `step()` without it reads without waiting. */
  #blocking: RedisClient | undefined;

  constructor(store: LogStore, options: SequencerOptions = {}) {
    this.#store = store;
    this.#options = options;
    this.#instance = options.instance ?? randomId().slice(0, 12);
    this.#leaseMs = options.leaseMs ?? 5000;
    this.#batchMax = options.batchMax ?? 1000;
    this.#idleMs = options.idleMs ?? 100;
  }

  /** The lease value while this instance is the sequencer. */
  get lease(): string | undefined {
    return this.#lease;
  }

  /** Takes or renews the lease when due; returns whether this instance holds it. Throws Redis errors. */
  async holdLease(): Promise<boolean> {
    const now = Date.now();
    if (this.#lease !== undefined && now - this.#leaseRenewedAt < this.#leaseMs / 3) return true;
    const lease = await this.#store.lease(this.#instance, this.#leaseMs, this.#lease);
    if (lease !== this.#lease) this.#head = undefined;
    this.#lease = lease;
    this.#leaseRenewedAt = now;
    return lease !== undefined;
  }

  /**
   * Sequences one batch. Returns how many pending items it consumed: 0 when idle, when another
   * instance holds the lease, or when a commit was refused (the next step re-reads the head).
   * Throws Redis errors and LOG_STORAGE.
   */
  async step(): Promise<number> {
    if (!(await this.holdLease())) return 0;
    const blocking = this.#blocking?.isReady === true ? this.#blocking : undefined;
    const items = await this.#store.pendingBatch(this.#batchMax, blocking, this.#idleMs);
    if (items.length === 0) return 0;
    const head = this.#head ?? (await this.#store.head());
    const entries: string[] = [];
    const leaves: Uint8Array[] = [];
    const pending = items.map((item) => {
      try {
        parseEntry(item.text);
      } catch (err) {
        this.#options.onDrop?.(item.id, err);
        return { id: item.id, index: -1 };
      }
      entries.push(item.text);
      leaves.push(entryLeafHash(item.text));
      return { id: item.id, index: head.size + entries.length - 1 };
    });
    const append = appendLeaves(head.size, head.frontier, leaves);
    const outcome = await this.#store.commit({
      lease: this.#lease as string,
      expectedSize: head.size,
      append,
      entries,
      pending,
    });
    if (outcome === 'committed') {
      this.#head = { size: append.size, root: append.root, frontier: append.frontier };
      if (entries.length > 0) void this.#store.announce(append.size);
      const onSequenced = this.#options.onSequenced;
      if (onSequenced !== undefined) {
        const sequenced = pending
          .filter((p) => p.index >= 0)
          .map((p) => ({
            pendingId: p.id,
            index: p.index,
            leafHash: leaves[p.index - head.size] as Uint8Array,
          }));
        if (sequenced.length > 0) onSequenced(sequenced);
      }
      return items.length;
    }
    this.#head = undefined;
    if (outcome === 'lease-lost') this.#lease = undefined;
    return 0;
  }

  /** Runs steps until `stop()`; errors go to `onError` and the loop backs off. */
  start(): void {
    if (this.#running) return;
    this.#running = true;
    const blocking = this.#store.client.duplicate();
    blocking.on('error', () => undefined);
    blocking.connect().catch(() => undefined);
    this.#blocking = blocking;
    this.#loop = (async () => {
      while (this.#running) {
        let consumed: number;
        try {
          consumed = await this.step();
        } catch (err) {
          this.#head = undefined;
          this.#options.onError?.(err);
          await sleep(100);
          continue;
        }
        if (consumed === 0 && this.#lease === undefined) await sleep(this.#leaseMs / 5);
        else if (consumed === 0 && this.#blocking?.isReady !== true) await sleep(5);
      }
    })();
  }

  /** Stops the loop after its current step and gives the lease back. Never throws. */
  async stop(): Promise<void> {
    this.#running = false;
    await this.#loop;
    this.#loop = undefined;
    const blocking = this.#blocking;
    this.#blocking = undefined;
    if (blocking?.isOpen) await blocking.close().catch(() => blocking.destroy());
    else blocking?.destroy();
    if (this.#lease !== undefined) {
      await this.#store.releaseLease(this.#lease).catch(() => undefined);
      this.#lease = undefined;
    }
  }
}
