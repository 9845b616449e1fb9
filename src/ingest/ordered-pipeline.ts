/**
 * Ordered, bounded pipelining for pass 2 of ingest: up to `depth` steps run at once (line groups
 * being prepared on threads, chunk stores running in Redis) while the caller produces the next
 * input, and their results are handed to `onDone` strictly in submission order. Memory stays bounded
 * by depth + 1 inputs. Every chunk store is one atomic, idempotent step, so a failure anywhere fails
 * the run and a retry of the whole batch ends as if it had run once.
 */
type Settled<I, O> = { input: I } & ({ output: O } | { error: unknown });

export class OrderedPipeline<I, O> {
  readonly #running: Promise<Settled<I, O>>[] = [];

  constructor(
    private readonly step: (input: I) => Promise<O>,
    private readonly onDone: (input: I, output: O) => Promise<void> | void,
    private readonly depth: number,
  ) {}

  /** Starts `input`, first finishing the oldest step while `depth` are running. */
  async submit(input: I): Promise<void> {
    while (this.#running.length >= this.depth) await this.#finishOldest();
    // Settled at once, so a step failing while the caller works is never an unhandled rejection.
    this.#running.push(
      this.step(input).then(
        (output) => ({ input, output }),
        (error: unknown) => ({ input, error }),
      ),
    );
  }

  /** Waits for every step; throws the first failure (whatever the step threw). */
  async drain(): Promise<void> {
    while (this.#running.length > 0) await this.#finishOldest();
  }

  async #finishOldest(): Promise<void> {
    const settled = await this.#running.shift();
    if (settled === undefined) return;
    if ('error' in settled) {
      // Let the other steps end (each store is atomic) so that none outlives the failed run.
      await Promise.all(this.#running.splice(0));
      throw settled.error;
    }
    await this.onDone(settled.input, settled.output);
  }
}
