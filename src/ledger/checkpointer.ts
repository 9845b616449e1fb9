/**
 * Issues the log's signed C2SP checkpoints (https://c2sp.org/tlog-checkpoint, DESIGN §5): every
 * `busyMs` (1 s) while the tree grows and at least every `idleMs` (1 min) when it does not. The
 * origin is the log key's name. Before it signs, the checkpointer re-derives the root from the
 * stored nodes and proves the new tree consistent (RFC 9162 §2.1.4) with the last checkpoint it
 * can verify, so it never signs a rolled-back or rewritten history, whatever Redis holds.
 */
import { BrokerError } from '../errors.js';
import { signCheckpoint } from './checkpoint.js';
import type { CheckpointStore, StoredCheckpoint, TrustedCheckpoint } from './checkpoint-store.js';
import type { LogStore } from './log-store.js';
import { EMPTY_ROOT } from './merkle.js';
import { proveConsistency, readRoot } from './proofs.js';
import type { NoteSigner } from './signed-note.js';
import { equalBytes } from '../util/bytes.js';
import { verifyConsistency } from './verify.js';

export interface CheckpointerOptions {
  /** The log key: its name is the checkpoint origin. */
  readonly signer: NoteSigner;
  readonly busyMs?: number;
  readonly idleMs?: number;
  /** Told about a failed tick (Redis down, an inconsistent tree); the loop keeps going. */
  readonly onError?: (err: unknown) => void;
  /** Told about each checkpoint stored. */
  readonly onCheckpoint?: (checkpoint: TrustedCheckpoint) => void;
}

export class Checkpointer {
  readonly #timer: { handle: NodeJS.Timeout | undefined } = { handle: undefined };
  #ticking: Promise<unknown> = Promise.resolve();
  readonly #busyMs: number;
  readonly #idleMs: number;

  constructor(
    private readonly store: LogStore,
    private readonly checkpoints: CheckpointStore,
    private readonly options: CheckpointerOptions,
  ) {
    this.#busyMs = options.busyMs ?? 1000;
    this.#idleMs = options.idleMs ?? 60_000;
  }

  /**
   * Signs and stores a checkpoint when one is due (or `force`), and returns the latest verified
   * one. Throws LOG_ROLLBACK when the stored tree is smaller than the last checkpoint,
   * LOG_INCONSISTENT when it does not extend it, LOG_STORAGE when the stored nodes do not give
   * the stored root, and the verification codes of CheckpointStore.latest.
   */
  async tick(force = false, now = Date.now()): Promise<StoredCheckpoint | undefined> {
    const head = await this.store.head();
    const latest = await this.checkpoints.latest();
    if (latest && head.size < latest.size) {
      throw new BrokerError(
        'LOG_ROLLBACK',
        `the log holds ${head.size} entries, its checkpoint ${latest.size}`,
        {
          hint: 'Redis lost acknowledged log state: restore it from its AOF before serving',
        },
      );
    }
    const grew = latest === undefined || head.size > latest.size;
    if (!force && !grew && now - latest.issuedAt < this.#idleMs) return latest;
    const root = head.root ?? EMPTY_ROOT;
    if (!equalBytes(await readRoot(this.store, head.size), root)) {
      throw new BrokerError(
        'LOG_STORAGE',
        `the stored nodes do not give the stored root at size ${head.size}`,
      );
    }
    if (latest && grew) {
      const proof = await proveConsistency(this.store, latest.size, head.size);
      if (!verifyConsistency(latest.size, head.size, proof, latest.root, root)) {
        throw new BrokerError(
          'LOG_INCONSISTENT',
          `the tree at ${head.size} does not extend checkpoint ${latest.size}`,
          {
            hint: 'the log history was rewritten; stop and investigate before signing anything',
          },
        );
      }
    }
    const { signer } = this.options;
    const text = signCheckpoint({ origin: signer.name, size: head.size, root }, signer);
    const checkpoint = { text, size: head.size, root };
    const outcome = await this.checkpoints.store(checkpoint, now);
    if (outcome === 'fork') {
      throw new BrokerError(
        'LOG_INCONSISTENT',
        `a different checkpoint of size ${head.size} is already signed`,
      );
    }
    if (outcome === 'stored') this.options.onCheckpoint?.(checkpoint);
    return (await this.checkpoints.latest()) ?? { ...checkpoint, issuedAt: now };
  }

  /** Issues a checkpoint now, after any tick in progress. Throws as `tick`. */
  async force(): Promise<StoredCheckpoint | undefined> {
    const run = this.#ticking.then(() => this.tick(true));
    this.#ticking = run.catch(() => undefined);
    return run;
  }

  /** Ticks every `busyMs` until `stop()`; a tick that fails goes to `onError`. */
  start(): void {
    if (this.#timer.handle) return;
    const loop = (): void => {
      this.#ticking = this.#ticking
        .then(() => this.tick())
        .catch((err: unknown) => this.options.onError?.(err))
        .finally(() => {
          if (this.#timer.handle) this.#timer.handle = setTimeout(loop, this.#busyMs);
        });
    };
    this.#timer.handle = setTimeout(loop, 0);
  }

  /** Stops ticking and waits for a tick in progress. Never throws. */
  async stop(): Promise<void> {
    if (this.#timer.handle) clearTimeout(this.#timer.handle);
    this.#timer.handle = undefined;
    await this.#ticking.catch(() => undefined);
  }
}
