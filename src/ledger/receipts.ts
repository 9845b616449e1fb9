/**
 * Receipts (DESIGN §5 "every write answers with a receipt"): an append is acknowledged with a
 * pending id at once; once sequenced it has an index and leaf hash; once a signed checkpoint
 * covers it, an RFC 9162 §2.1.3 inclusion proof in the C2SP tlog-proof shape
 * (https://c2sp.org/tlog-proof). `LogService.appendEntry` resolves only then, which is how
 * consent and disclosure code keep "usable only once sequenced" (DESIGN §4, §5).
 */
import { BrokerError } from '../errors.js';
import { equalBytes } from '../util/bytes.js';
import type { CheckpointStore } from './checkpoint-store.js';
import { createEntry, entryLeafHash } from './entry.js';
import type { EntryKind } from './entry.js';
import type { LogStore } from './log-store.js';
import { proveInclusion } from './proofs.js';
import type { NoteVerifier } from './signed-note.js';
import { formatTlogProof, verifyTlogProof } from './tlog-proof.js';

export interface Sequenced {
  readonly index: number;
  readonly leafHash: Uint8Array;
}

export interface Receipt extends Sequenced {
  /** The signed checkpoint note the proof leads to. */
  readonly checkpoint: string;
  /** c2sp.org/tlog-proof@v1 text: index, audit path, checkpoint. */
  readonly proof: string;
}

export interface ReceiptsOptions {
  /** Asks the checkpointer for a checkpoint now, when a receipt waits for one. */
  readonly forceCheckpoint?: () => Promise<unknown>;
  /** Longest pause between polls. Default 50 ms. */
  readonly maxPollMs?: number;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function timeout(what: string, ms: number): BrokerError {
  return new BrokerError('LOG_TIMEOUT', `${what} within ${ms} ms`, {
    hint: 'the sequencer or checkpointer is not running or is behind; retry later',
  });
}

export class Receipts {
  constructor(
    private readonly store: LogStore,
    private readonly checkpoints: CheckpointStore,
    private readonly options: ReceiptsOptions = {},
  ) {}

  /** Queues a canonical entry text (see entry.ts) for sequencing; the pending id is the acknowledgement. */
  async append(entryText: string): Promise<{ pendingId: string }> {
    return { pendingId: await this.store.enqueue(entryText) };
  }

  /** Waits until the pending entry has an index. Throws LOG_TIMEOUT, LOG_STORAGE. */
  async waitSequenced(pendingId: string, timeoutMs: number): Promise<Sequenced> {
    const deadline = Date.now() + timeoutMs;
    for (let pause = 2; ; pause = Math.min(pause * 2, this.options.maxPollMs ?? 50)) {
      const index = await this.store.sequencedIndex(pendingId);
      if (index !== undefined) {
        const [leafHash] = await this.store.readNodes([{ level: 0, index }]);
        return { index, leafHash: leafHash as Uint8Array };
      }
      if (Date.now() >= deadline) throw timeout(`entry ${pendingId} was not sequenced`, timeoutMs);
      await sleep(pause);
    }
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
}

export function createLogService(receipts: Receipts, verifier: NoteVerifier, timeoutMs = 10_000): LogService {
  return {
    async appendEntry(kind, body) {
      const text = createEntry(kind, body);
      const started = Date.now();
      const { pendingId } = await receipts.append(text);
      const sequenced = await receipts.waitSequenced(pendingId, timeoutMs);
      const expected = entryLeafHash(text);
      if (!equalBytes(sequenced.leafHash, expected)) {
        throw new BrokerError('LOG_STORAGE', `entry ${sequenced.index} does not hold the appended entry`);
      }
      const receipt = await receipts.receipt(
        sequenced.index,
        Math.max(1, timeoutMs - (Date.now() - started)),
      );
      verifyTlogProof(receipt.proof, expected, verifier);
      return receipt;
    },
  };
}
