/**
 * Ordered, bounded pipelining of chunk stores (pass 2 of ingest): while Redis runs the store of one
 * chunk, the caller validates and re-keys the next. At most `depth` stores are in flight, so memory
 * stays bounded by depth + 1 chunks. Outcomes are handed to `onStored` in submission order; each
 * store stays one atomic, idempotent step, so a failure anywhere fails the run and a retry of the
 * whole batch ends as if it had run once (chunks already stored answer "already stored").
 */
import type { PreparedRecord } from '../store/record-store.js';
import type { StoreOutcome } from '../store/scripts.js';

/** A chunk of validated records with the batch line number of each. */
export interface PreparedChunk {
  records: PreparedRecord[];
  lines: number[];
}

type Settled = { chunk: PreparedChunk } & ({ outcomes: StoreOutcome[] } | { error: unknown });

export class StorePipeline {
  readonly #inFlight: Promise<Settled>[] = [];

  constructor(
    private readonly store: (records: readonly PreparedRecord[]) => Promise<StoreOutcome[]>,
    private readonly onStored: (chunk: PreparedChunk, outcomes: StoreOutcome[]) => Promise<void> | void,
    private readonly depth = 1,
  ) {}

  /** Starts storing `chunk`, first waiting for the oldest store while `depth` are in flight. */
  async submit(chunk: PreparedChunk): Promise<void> {
    while (this.#inFlight.length >= this.depth) await this.#settleOldest();
    // Settled at once, so a store failing while the caller works is never an unhandled rejection.
    this.#inFlight.push(
      this.store(chunk.records).then(
        (outcomes) => ({ chunk, outcomes }),
        (error: unknown) => ({ chunk, error }),
      ),
    );
  }

  /** Waits for every store; throws the first failure (whatever the store threw). */
  async drain(): Promise<void> {
    while (this.#inFlight.length > 0) await this.#settleOldest();
  }

  async #settleOldest(): Promise<void> {
    const settled = await this.#inFlight.shift();
    if (settled === undefined) return;
    if ('error' in settled) {
      // Let the remaining stores finish (each is atomic) so none outlives the failed run.
      await Promise.all(this.#inFlight.splice(0));
      throw settled.error;
    }
    await this.onStored(settled.chunk, settled.outcomes);
  }
}
