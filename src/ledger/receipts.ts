/**
 * Receipts (DESIGN §5 "every write answers with a receipt"): an append is acknowledged with a
 * pending id at once; once sequenced it has an index and leaf hash; once a signed checkpoint
 * covers it, an RFC 9162 §2.1.3 inclusion proof in the C2SP tlog-proof shape
 * (https://c2sp.org/tlog-proof).
 *
 * Two ways to append, by what the caller answers: `appendEntry` resolves with the full receipt
 * (consents and policies, whose API answers with one); `appendSequenced` resolves as soon as the
 * entry has an index (DESIGN §5 asks a disclosure to be *sequenced* before the result is
 * readable, not covered by a checkpoint): match and screen jobs use it, with a once-key per (job,
 * item) so a retried job waits on its first attempt's entry instead of logging it again.
 */
import { BrokerError } from '../errors.js';
import { equalBytes, fromHex, toHex } from '../util/bytes.js';
import type { CheckpointStore } from './checkpoint-store.js';
import { createEntry, entryLeafHash } from './entry.js';
import type { EntryKind } from './entry.js';
import type { LogStore } from './log-store.js';
import { proveInclusion } from './proofs.js';
import { OnceBatcher } from './once-batcher.js';
import type { NoteVerifier } from './signed-note.js';
import { SequencedWaiter } from './sequenced-waiter.js';
import type { Sequenced, SequencedItem } from './sequenced-waiter.js';
import { formatTlogProof, verifyTlogProof } from './tlog-proof.js';

export type { Sequenced } from './sequenced-waiter.js';

export interface Receipt extends Sequenced {
  /** The signed checkpoint note the proof leads to. */
  readonly checkpoint: string;
  /** c2sp.org/tlog-proof@v1 text: index, audit path, checkpoint. */
  readonly proof: string;
}

export interface ReceiptsOptions {
  /** Asks the checkpointer for a checkpoint now, when a receipt waits for one. */
  readonly forceCheckpoint?: () => Promise<unknown>;
  /** Longest pause between polls for a checkpoint. Default 50 ms. */
  readonly maxPollMs?: number;
  /** Listen to the sequencer's commit announcements (one more connection). Default false. */
  readonly subscribe?: boolean;
}

/** Names an append that must happen at most once: one item (e.g. a record) of one job. */
export interface OnceKey {
  readonly job: string;
  readonly item: string;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function timeout(what: string, ms: number): BrokerError {
  return new BrokerError('LOG_TIMEOUT', `${what} within ${ms} ms`, {
    hint: 'the sequencer or checkpointer is not running or is behind; retry later',
  });
}

export class Receipts {
  readonly #waiter: SequencedWaiter;
  readonly #once: OnceBatcher;

  constructor(
    private readonly store: LogStore,
    private readonly checkpoints: CheckpointStore,
    private readonly options: ReceiptsOptions = {},
  ) {
    this.#waiter = new SequencedWaiter(store, { subscribe: options.subscribe ?? false });
    this.#once = new OnceBatcher(store);
  }

  /**
   * Queues a canonical entry text (see entry.ts) for sequencing; the pending id is the
   * acknowledgement, with the leaf hash the sequenced entry must have. With `once`, a second
   * append of the same item gets the first one's pending id and leaf hash; the once-only appends
   * of a job started together are enqueued together (once-batcher.ts). Throws Redis errors.
   */
  async append(entryText: string, once?: OnceKey): Promise<{ pendingId: string; leafHash: Uint8Array }> {
    const leafHash = entryLeafHash(entryText);
    if (once === undefined) return { pendingId: await this.store.enqueue(entryText), leafHash };
    const held = await this.#once.enqueue(once.job, {
      item: once.item,
      text: entryText,
      leafHashHex: toHex(leafHash),
    });
    return { pendingId: held.pendingId, leafHash: held.added ? leafHash : fromHex(held.leafHashHex, 32) };
  }

  /** Waits until the pending entry has an index. Throws LOG_TIMEOUT, LOG_STORAGE. */
  async waitSequenced(pendingId: string, timeoutMs: number): Promise<Sequenced> {
    return this.#waiter.wait(pendingId, timeoutMs);
  }

  /** Answers local waiters of just-committed entries (wire to the Sequencer's `onSequenced`). */
  sequenced(items: readonly SequencedItem[]): void {
    this.#waiter.sequenced(items);
  }

  /** Stops listening for announcements. Never throws. */
  async close(): Promise<void> {
    await this.#waiter.close();
  }

  /**
   * The receipt of a sequenced entry against the latest signed checkpoint that includes it,
   * waiting for (and asking for) one. Throws LOG_TIMEOUT, LOG_STORAGE and the checkpoint codes.
   */
  async receipt(index: number, timeoutMs: number): Promise<Receipt> {
    const deadline = Date.now() + timeoutMs;
    let asked = false;
    for (let pause = 2; ; pause = Math.min(pause * 2, this.options.maxPollMs ?? 50)) {
      const checkpoint = await this.checkpoints.latest();
      if (checkpoint && checkpoint.size > index) {
        const [hashes, path] = await Promise.all([
          this.store.readNodes([{ level: 0, index }]),
          proveInclusion(this.store, index, checkpoint.size),
        ]);
        return {
          index,
          leafHash: hashes[0] as Uint8Array,
          checkpoint: checkpoint.text,
          proof: formatTlogProof({ index, proof: path, checkpoint: checkpoint.text }),
        };
      }
      if (Date.now() >= deadline) throw timeout(`no signed checkpoint covered entry ${index}`, timeoutMs);
      if (!asked && this.options.forceCheckpoint) {
        asked = true;
        await this.options.forceCheckpoint().catch(() => undefined);
        continue;
      }
      await sleep(pause);
    }
  }
}

/** The log as other modules (consent, disclosure) use it. */
export interface LogService {
  /**
   * Appends `{ kind, at: now, body }` and resolves with its receipt once sequenced and covered by
   * a signed checkpoint; the receipt is verified before it is returned. Throws LOG_BAD_ENTRY /
   * SIG_MALFORMED for a bad entry, LOG_TIMEOUT, LOG_STORAGE, LOG_PROOF_FAILED.
   */
  appendEntry(kind: EntryKind, body: Record<string, unknown>): Promise<Receipt>;
  /**
   * Appends `{ kind, at: now, body }` and resolves once it is sequenced, after checking that the
   * stored leaf hash is the entry's. With `once`, at most one entry is ever logged for the item: a
   * retry resolves with the first attempt's index and leaf hash (its own body is not logged).
   * Throws LOG_BAD_ENTRY / SIG_MALFORMED, LOG_TIMEOUT, LOG_STORAGE, STORE_REPLY.
   */
  appendSequenced(kind: EntryKind, body: Record<string, unknown>, once?: OnceKey): Promise<Sequenced>;
}

export function createLogService(receipts: Receipts, verifier: NoteVerifier, timeoutMs = 10_000): LogService {
  const appendSequenced = async (
    kind: EntryKind,
    body: Record<string, unknown>,
    once?: OnceKey,
  ): Promise<Sequenced> => {
    const { pendingId, leafHash } = await receipts.append(createEntry(kind, body), once);
    const sequenced = await receipts.waitSequenced(pendingId, timeoutMs);
    if (!equalBytes(sequenced.leafHash, leafHash)) {
      throw new BrokerError('LOG_STORAGE', `entry ${sequenced.index} does not hold the appended entry`);
    }
    return sequenced;
  };
  return {
    appendSequenced,
    async appendEntry(kind, body) {
      const started = Date.now();
      const sequenced = await appendSequenced(kind, body);
      const receipt = await receipts.receipt(
        sequenced.index,
        Math.max(1, timeoutMs - (Date.now() - started)),
      );
      verifyTlogProof(receipt.proof, sequenced.leafHash, verifier);
      return receipt;
    },
  };
}
