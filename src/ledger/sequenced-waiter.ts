/**
 * Waiting for entries to be sequenced (DESIGN §5 "no disclosure is readable before its entry is
 * sequenced"), cheap under load: every waiter of the process registers its pending id here, and
 * ONE check learns the indexes of all of them with one ZMSCORE over the acks set, then reads their
 * RFC 9162 §2.1.1 leaf hashes with one node read. A check runs when the sequencer announces a
 * commit (pub/sub on the log's `sequenced` channel, subscribed on first use on a connection of its
 * own) and every `pollMs` while anyone waits, so a lost message, or a sequencer that does not
 * announce, costs latency, never correctness. A new wait does not check at once: its entry was
 * just appended, so the commit that sequences it, and its announcement, are still to come. When
 * the sequencer runs in this process it hands its commits to `sequenced()`, which answers the
 * waiters at once, with no round trip at all.
 */
import { BrokerError } from '../errors.js';
import type { LogStore } from './log-store.js';
import type { RedisClient } from '../store/redis.js';

export interface Sequenced {
  readonly index: number;
  readonly leafHash: Uint8Array;
}

/** One pending entry that a commit gave an index. */
export interface SequencedItem extends Sequenced {
  readonly pendingId: string;
}

export interface SequencedWaiterOptions {
  /** Checks at least this often while anyone waits. Default 10 ms. */
  readonly pollMs?: number;
  /** Subscribe to the sequencer's announcements (a second connection). Default false. */
  readonly subscribe?: boolean;
}

interface Waiter {
  readonly deadline: number;
  readonly timeoutMs: number;
  readonly resolve: (s: Sequenced) => void;
  readonly reject: (err: unknown) => void;
}

export class SequencedWaiter {
  readonly #store: LogStore;
  readonly #pollMs: number;
  readonly #subscribe: boolean;
  readonly #waiting = new Map<string, Waiter[]>();
  #checking = false;
  #again = false;
  #timer: NodeJS.Timeout | undefined;
  #subscriber: RedisClient | undefined;

  constructor(store: LogStore, options: SequencedWaiterOptions = {}) {
    this.#store = store;
    this.#pollMs = options.pollMs ?? 10;
    this.#subscribe = options.subscribe ?? false;
  }

  /** Resolves with the entry's index and stored leaf hash once sequenced. Throws LOG_TIMEOUT, LOG_STORAGE. */
  wait(pendingId: string, timeoutMs: number): Promise<Sequenced> {
    if (this.#subscribe && this.#subscriber === undefined) this.#listen();
    return new Promise<Sequenced>((resolve, reject) => {
      const list = this.#waiting.get(pendingId) ?? [];
      list.push({ deadline: Date.now() + timeoutMs, timeoutMs, resolve, reject });
      this.#waiting.set(pendingId, list);
      this.#schedule();
    });
  }

  /** Answers the waiters of entries the sequencer of this process has just committed. */
  sequenced(items: readonly SequencedItem[]): void {
    for (const { pendingId, index, leafHash } of items) {
      if (this.#waiting.has(pendingId)) this.#settle(pendingId, (w) => w.resolve({ index, leafHash }));
    }
  }

  /** Stops listening; pending waits end by their timeout. Never throws. */
  async close(): Promise<void> {
    const subscriber = this.#subscriber;
    this.#subscriber = undefined;
    if (subscriber?.isOpen) await subscriber.close().catch(() => subscriber.destroy());
    else subscriber?.destroy();
  }

  #listen(): void {
    const subscriber = this.#store.client.duplicate();
    this.#subscriber = subscriber;
    subscriber.on('error', () => undefined);
    subscriber
      .connect()
      .then(() => subscriber.subscribe(this.#store.keys.sequenced(), () => this.#kick()))
      .catch(() => undefined);
  }

  /** Runs a check now, or right after the one in progress; nothing when no one waits. */
  #kick(): void {
    if (this.#checking) {
      this.#again = true;
      return;
    }
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#waiting.size === 0) return;
    this.#checking = true;
    void this.#check().finally(() => {
      this.#checking = false;
      if (this.#again) {
        this.#again = false;
        this.#kick();
      } else {
        this.#schedule();
      }
    });
  }

  /** Checks in `pollMs` unless a check is due or running, or no one waits. */
  #schedule(): void {
    if (this.#checking || this.#timer !== undefined || this.#waiting.size === 0) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#kick();
    }, this.#pollMs);
  }

  async #check(): Promise<void> {
    const ids = [...this.#waiting.keys()];
    try {
      const indexes = await this.#store.sequencedIndexes(ids);
      const done = ids.flatMap((id, i) => {
        const index = indexes[i];
        return index === undefined ? [] : [{ id, index }];
      });
      if (done.length > 0) {
        const hashes = await this.#store.readNodes(done.map((d) => ({ level: 0, index: d.index })));
        done.forEach((d, i) =>
          this.#settle(d.id, (w) => w.resolve({ index: d.index, leafHash: hashes[i] as Uint8Array })),
        );
      }
    } catch (err) {
      if (!(err instanceof BrokerError)) return this.#expire();
      for (const id of ids) this.#settle(id, (w) => w.reject(err));
      return;
    }
    this.#expire();
  }

  #settle(id: string, how: (w: Waiter) => void): void {
    const list = this.#waiting.get(id);
    this.#waiting.delete(id);
    for (const w of list ?? []) how(w);
  }

  /** Ends the waits whose deadline passed (Redis errors are retried until then). */
  #expire(): void {
    const now = Date.now();
    for (const [id, list] of this.#waiting) {
      const late = list.filter((w) => w.deadline <= now);
      if (late.length === 0) continue;
      const kept = list.filter((w) => w.deadline > now);
      if (kept.length > 0) this.#waiting.set(id, kept);
      else this.#waiting.delete(id);
      for (const w of late) {
        w.reject(
          new BrokerError('LOG_TIMEOUT', `entry ${id} was not sequenced within ${w.timeoutMs} ms`, {
            hint: 'the sequencer is not running or is behind; retry later',
          }),
        );
      }
    }
  }
}
