/**
 * The broker's BullMQ workers, each on a connection of its own, with one error handling for all:
 *
 * - Errors go to `onError`, and the worker is held still for `backoffMs` after each one. BullMQ
 *   recognizes ioredis's connection errors and backs off on them, but not node-redis's (DESIGN §6
 *   uses node-redis through `createNodeRedisClient`): its main loop then retried at once, inside
 *   one chain of promise callbacks that never yields to timers or I/O, and a broker whose Redis
 *   went away spun a core and grew without bound. The pause is set from the worker's own
 *   synchronous 'error' event, so it breaks that chain; the worker resumes after `backoffMs`.
 * - A worker that reports the very same error object again and again is replaced. A live
 *   connection fails with a new error each time; the same object means BullMQ is re-awaiting a
 *   promise that was rejected once, as when Redis went away while one of the worker's connections
 *   was being set up (seen in the fault test under CPU load: the worker then never ran again, and
 *   its jobs waited forever). The replacement is a new worker on a new connection; jobs the old
 *   one held come back to the queue through BullMQ's stalled-job check.
 */
import { Worker } from 'bullmq';
import type { Job, Processor, WorkerOptions } from 'bullmq';
import { createQueueConnection } from '../store/redis.js';
import type { QueueConnection } from '../store/redis.js';

/** The same error object this many times in a row marks a worker that cannot recover. */
const STUCK_REPEATS = 3;

interface Slot {
  readonly worker: Worker;
  readonly connection: QueueConnection;
}

export interface WorkerSetOptions {
  /** Redis URL of the workers' connections. */
  readonly url: string;
  readonly onError: (err: Error) => void;
  /** Told when a stuck worker is replaced. */
  readonly onReplace?: (queue: string) => void;
  /** How long a worker is held still after an error. Default 1000 ms. */
  readonly backoffMs?: number;
}

export class WorkerSet {
  readonly #options: WorkerSetOptions;
  readonly #slots = new Set<Slot>();
  #closing = false;

  constructor(options: WorkerSetOptions) {
    this.#options = options;
  }

  /**
   * Starts a worker of queue `name` on a connection of its own. `completed` is told of each job
   * BullMQ has recorded as completed (so a job's clean-up that a retry must not see, such as
   * dropping its staged upload, happens only once its result is safe).
   */
  add(
    name: string,
    processor: Processor,
    options: Omit<WorkerOptions, 'connection'>,
    completed?: (job: Job) => void,
  ): void {
    const connection = createQueueConnection(this.#options.url, this.#options.onError);
    const worker = new Worker(name, processor, { ...options, connection: connection.connection });
    if (completed !== undefined) worker.on('completed', completed);
    const slot: Slot = { worker, connection };
    this.#slots.add(slot);
    let held = false;
    let last: Error | undefined;
    let seen = 0;
    worker.on('error', (err) => {
      this.#options.onError(err);
      seen = err === last ? seen + 1 : 1;
      last = err;
      if (seen >= STUCK_REPEATS) {
        void this.#replace(slot, () => this.add(name, processor, options, completed));
        return;
      }
      if (held) return;
      held = true;
      worker.pause(true).catch(() => undefined);
      setTimeout(() => {
        held = false;
        worker.resume().catch(() => undefined);
      }, this.#options.backoffMs ?? 1000).unref();
    });
  }

  /** The workers running now (a replaced worker is not among them). */
  get workers(): Worker[] {
    return [...this.#slots].map((s) => s.worker);
  }

  /** Closes every worker (letting its current jobs finish), then their connections. */
  async close(): Promise<void> {
    this.#closing = true;
    const slots = [...this.#slots];
    await Promise.all(slots.map((s) => s.worker.close()));
    await Promise.all(slots.map((s) => s.connection.close()));
  }

  async #replace(slot: Slot, start: () => void): Promise<void> {
    if (this.#closing || !this.#slots.delete(slot)) return;
    slot.worker.removeAllListeners('error');
    slot.worker.on('error', () => undefined);
    await slot.worker.close(true).catch(() => undefined);
    await slot.connection.close().catch(() => undefined);
    if (this.#closing) return;
    this.#options.onReplace?.(slot.worker.name);
    start();
  }
}
