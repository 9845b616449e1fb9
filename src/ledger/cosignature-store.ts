/**
 * Witness cosignatures on the log's checkpoints (C2SP tlog-cosignature, https://c2sp.org/tlog-cosignature;
 * DESIGN §5 "an auditor … may cosign (witness) checkpoints"). An auditor posts the checkpoint note
 * with its cosignature line; the broker keeps it only when the log's own signature verifies, the
 * checkpoint is one the broker issued, and the line verifies under that auditor's witness key from
 * consortium.json. The latest cosigned note, with every witness's line for it, is served to anyone.
 */
import { BrokerError } from '../errors.js';
import type { LogKeys } from '../store/keys.js';
import type { RedisClient } from '../store/redis.js';
import { verifyCheckpoint } from './checkpoint.js';
import type { CheckpointStore } from './checkpoint-store.js';
import { verifyCosignature } from './cosignature.js';
import { formatSignatureLine, parseSignedNote } from './signed-note.js';
import type { NoteVerifier } from './signed-note.js';

export class CosignatureStore {
  constructor(
    private readonly client: RedisClient,
    private readonly keys: LogKeys,
    private readonly checkpoints: CheckpointStore,
    private readonly logKey: NoteVerifier,
    /** Auditor id → its witness key (consortium.json `auditors[].witnessKey`). */
    private readonly witnesses: ReadonlyMap<string, NoteVerifier>,
  ) {}

  /**
   * Adds `auditorId`'s cosignature. Throws LOG_BAD_NOTE / LOG_BAD_CHECKPOINT / LOG_UNSIGNED /
   * LOG_BAD_SIGNATURE for a note that does not verify, WITNESS_UNKNOWN for an auditor without a
   * witness key, LOG_UNKNOWN_CHECKPOINT for a checkpoint this broker did not issue.
   */
  async add(auditorId: string, note: string): Promise<{ size: number; witnesses: number }> {
    const witness = this.witnesses.get(auditorId);
    if (witness === undefined) {
      throw new BrokerError('WITNESS_UNKNOWN', `auditor ${auditorId} has no witness key in consortium.json`);
    }
    const { checkpoint } = verifyCheckpoint(note, this.logKey);
    verifyCosignature(note, witness);
    const size = Number(checkpoint.size);
    const body = parseSignedNote(note).body;
    const issued = await this.checkpoints.history(size, size, 10);
    const mine = issued.find((c) => parseSignedNote(c.text).body === body);
    if (mine === undefined) {
      throw new BrokerError('LOG_UNKNOWN_CHECKPOINT', `this log issued no such checkpoint of size ${size}`, {
        hint: 'cosign a checkpoint fetched from GET /v1/log/checkpoint',
      });
    }
    const [storedSize, storedText] = await this.client.hmGet(this.keys.cosigned(), ['size', 'text']);
    const base = storedText && Number(storedSize) === size ? storedText : mine.text;
    if (storedText && Number(storedSize) > size) return { size: Number(storedSize), witnesses: 0 };
    const merged = mergeLines(base, note, witness);
    await this.client.hSet(this.keys.cosigned(), { size: String(size), text: merged });
    return { size, witnesses: parseSignedNote(merged).signatures.length - 1 };
  }

  /** The latest cosigned checkpoint note, or undefined before any cosignature. */
  async latest(): Promise<string | undefined> {
    return (await this.client.hGet(this.keys.cosigned(), 'text')) ?? undefined;
  }
}

/** `base` plus the witness's lines from `note`, replacing that witness's earlier lines. */
function mergeLines(base: string, note: string, witness: NoteVerifier): string {
  const kept = parseSignedNote(base);
  const added = parseSignedNote(note).signatures.filter((s) => s.name === witness.name);
  const lines = [...kept.signatures.filter((s) => s.name !== witness.name), ...added];
  return `${kept.body}\n${lines.map((s) => formatSignatureLine(s.name, s.keyId, s.signature)).join('')}`;
}
