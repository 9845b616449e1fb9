/**
 * Gathers the once-only appends a job issues together (a match job's `query.received` and its
 * `disclosure` entries, DESIGN §6) into ONE enqueue per job. One enqueue adds them to the pending
 * stream in one step, so the sequencer's next read takes them all and commits them in one commit,
 * where separate enqueues would let it wake for the first and commit the rest in a second round.
 * Appends are gathered until the current synchronous run of code ends (one microtask), so a
 * caller that starts its appends together, e.g. in one `map`, gets one enqueue without asking.
 */
import type { LogStore, OnceHeld, OnceItem } from './log-store.js';

interface Waiting extends OnceItem {
  readonly resolve: (held: OnceHeld) => void;
  readonly reject: (err: unknown) => void;
}

export class OnceBatcher {
  readonly #store: LogStore;
  /** Appends gathered this turn, per job; undefined when no flush is scheduled. */
  #byJob: Map<string, Waiting[]> | undefined;

  constructor(store: LogStore) {
    this.#store = store;
  }

  /** Resolves with the entry holding the item. Throws what `LogStore.enqueueOnce` throws. */
  enqueue(job: string, item: OnceItem): Promise<OnceHeld> {
    return new Promise<OnceHeld>((resolve, reject) => {
      let byJob = this.#byJob;
      if (byJob === undefined) {
        const gathered = new Map<string, Waiting[]>();
        byJob = this.#byJob = gathered;
        queueMicrotask(() => {
          this.#byJob = undefined;
          this.#flush(gathered);
        });
      }
      const list = byJob.get(job) ?? [];
      list.push({ ...item, resolve, reject });
      byJob.set(job, list);
    });
  }

  #flush(byJob: ReadonlyMap<string, Waiting[]>): void {
    for (const [job, list] of byJob) {
      this.#store.enqueueOnce(job, list).then(
        (held) => list.forEach((w, i) => w.resolve(held[i] as OnceHeld)),
        (err: unknown) => list.forEach((w) => w.reject(err)),
      );
    }
  }
}
