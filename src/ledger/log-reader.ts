/**
 * The auditor's view of the log (DESIGN §5 API: checkpoint, entries by range, inclusion and
 * consistency proofs per RFC 9162 §2.1.3 / §2.1.4). Every size is bounded by the latest
 * *verified* checkpoint: nothing is served about a tree the log has not signed. Inputs are
 * hostile; each bad one is refused with LOG_RANGE and says what to fix.
 */
import { BrokerError } from '../errors.js';
import { toBase64 } from './base64.js';
import type { CheckpointStore, StoredCheckpoint } from './checkpoint-store.js';
import type { CosignatureStore } from './cosignature-store.js';
import type { LogStore } from './log-store.js';
import { proveConsistency, proveInclusion } from './proofs.js';

/** Most entries one range read returns. */
export const MAX_ENTRIES_PAGE = 1000;

export interface EntriesPage {
  readonly start: number;
  readonly end: number;
  /** Canonical entry JSON texts, index start … end − 1. */
  readonly entries: string[];
}

export interface InclusionProofView {
  readonly index: number;
  readonly size: number;
  readonly leafHash: string;
  /** Base64 hashes, leaf's sibling first. */
  readonly proof: string[];
}

export interface ConsistencyProofView {
  readonly from: number;
  readonly to: number;
  readonly proof: string[];
}

function range(message: string, field: string, details: Record<string, unknown>): BrokerError {
  return new BrokerError('LOG_RANGE', message, { field, details });
}

export class LogReader {
  constructor(
    private readonly store: LogStore,
    private readonly checkpoints: CheckpointStore,
    private readonly cosignatures?: CosignatureStore,
  ) {}

  /** The latest checkpoint carrying witness cosignatures. Throws LOG_NO_COSIGNATURE before any. */
  async cosignedCheckpoint(): Promise<string> {
    const text = await this.cosignatures?.latest();
    if (text === undefined) {
      throw new BrokerError('LOG_NO_COSIGNATURE', 'no witness has cosigned a checkpoint yet', {
        hint: 'an auditor runs `blindbroker audit cosign`',
      });
    }
    return text;
  }

  /** Adds an auditor's cosignature (CosignatureStore.add). Throws its codes, LOG_UNAVAILABLE without a store. */
  async addCosignature(auditorId: string, note: string): Promise<{ size: number; witnesses: number }> {
    if (!this.cosignatures) throw new BrokerError('LOG_UNAVAILABLE', 'this broker keeps no cosignatures');
    return this.cosignatures.add(auditorId, note);
  }

  /** The latest signed checkpoint. Throws LOG_NO_CHECKPOINT before the first one. */
  async checkpoint(): Promise<StoredCheckpoint> {
    const latest = await this.checkpoints.latest();
    if (!latest) {
      throw new BrokerError('LOG_NO_CHECKPOINT', 'the log has not signed a checkpoint yet', {
        hint: 'retry in a second',
      });
    }
    return latest;
  }

  /** Entries [start, end): end ≤ checkpoint size, at most MAX_ENTRIES_PAGE. Throws LOG_RANGE. */
  async entries(start: number, end: number): Promise<EntriesPage> {
    const { size } = await this.checkpoint();
    if (start >= end) throw range('start must be below end', 'start', { start, end });
    if (end > size) throw range(`end ${end} is past the checkpoint size ${size}`, 'end', { end, size });
    if (end - start > MAX_ENTRIES_PAGE) {
      throw range(`ask for at most ${MAX_ENTRIES_PAGE} entries at a time`, 'end', { max: MAX_ENTRIES_PAGE });
    }
    return { start, end, entries: await this.store.readEntries(start, end) };
  }

  /** PATH(index, D[size]) for a signed size. Throws LOG_RANGE unless index < size ≤ checkpoint. */
  async inclusion(index: number, size: number): Promise<InclusionProofView> {
    const latest = await this.checkpoint();
    if (size > latest.size) {
      throw range(`size ${size} is past the checkpoint size ${latest.size}`, 'size', {
        size,
        max: latest.size,
      });
    }
    if (index >= size) throw range(`index ${index} is not below size ${size}`, 'index', { index, size });
    const [leaf, proof] = await Promise.all([
      this.store.readNodes([{ level: 0, index }]),
      proveInclusion(this.store, index, size),
    ]);
    return { index, size, leafHash: toBase64(leaf[0] as Uint8Array), proof: proof.map(toBase64) };
  }

  /** PROOF(from, D[to]) for signed sizes. Throws LOG_RANGE unless 0 < from ≤ to ≤ checkpoint. */
  async consistency(from: number, to: number): Promise<ConsistencyProofView> {
    const latest = await this.checkpoint();
    if (to > latest.size)
      throw range(`to ${to} is past the checkpoint size ${latest.size}`, 'to', { to, max: latest.size });
    if (from < 1 || from > to) throw range('need 1 ≤ from ≤ to', 'from', { from, to });
    return { from, to, proof: (await proveConsistency(this.store, from, to)).map(toBase64) };
  }
}
