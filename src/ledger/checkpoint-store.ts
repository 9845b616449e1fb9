/**
 * Signed C2SP tlog-checkpoints (https://c2sp.org/tlog-checkpoint) kept in Redis: the latest one and
 * the history of every one issued (DESIGN §5: auditors demand consistency from any checkpoint they
 * hold). Size and root are trusted only from a verified checkpoint, so every read here checks the
 * log's Ed25519 signature and origin before it returns a size or root.
 */
import { BrokerError } from '../errors.js';
import type { LogKeys } from '../store/keys.js';
import type { RedisClient } from '../store/redis.js';
import { runScript } from '../store/scripts.js';
import { verifyCheckpoint } from './checkpoint.js';
import type { NoteVerifier } from './signed-note.js';

export interface TrustedCheckpoint {
  /** The signed note text, verbatim. */
  readonly text: string;
  readonly size: number;
  readonly root: Uint8Array;
}

export interface StoredCheckpoint extends TrustedCheckpoint {
  /** When it was last issued (ms since the epoch). */
  readonly issuedAt: number;
}

export type StoreCheckpointOutcome = 'stored' | 'refreshed' | 'older' | 'fork';

/**
 * Verifies a checkpoint note under the log key. Throws the codes of `verifyCheckpoint`, and
 * LOG_RANGE when its size does not fit a JS safe integer (this store's index range).
 */
export function trustCheckpoint(text: string, verifier: NoteVerifier): TrustedCheckpoint {
  const { checkpoint } = verifyCheckpoint(text, verifier);
  if (checkpoint.size > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new BrokerError('LOG_RANGE', 'the checkpoint size is past 2^53');
  }
  return { text, size: Number(checkpoint.size), root: checkpoint.root };
}

export class CheckpointStore {
  /** The last note verified, so an unchanged latest checkpoint is not re-verified on every read. */
  #verified: TrustedCheckpoint | undefined;

  constructor(
    private readonly client: RedisClient,
    private readonly keys: LogKeys,
    private readonly verifier: NoteVerifier,
  ) {}

  /**
   * The latest checkpoint, verified; undefined before the first one. Throws LOG_BAD_SIGNATURE,
   * LOG_UNSIGNED, LOG_WRONG_ORIGIN or LOG_BAD_CHECKPOINT when the stored note does not verify.
   */
  async latest(): Promise<StoredCheckpoint | undefined> {
    const [text, at] = await this.client.hmGet(this.keys.checkpoint(), ['text', 'at']);
    if (!text) return undefined;
    if (this.#verified?.text !== text) this.#verified = trustCheckpoint(text, this.verifier);
    return { ...this.#verified, issuedAt: Number(at ?? 0) };
  }

  /** Stores a signed checkpoint as the latest (log-checkpoint-2.lua) and in the history. */
  async store(checkpoint: TrustedCheckpoint, now = Date.now()): Promise<StoreCheckpointOutcome> {
    const reply = await runScript(
      this.client,
      'log-checkpoint-2',
      [this.keys.checkpoint(), this.keys.checkpoints()],
      [String(checkpoint.size), checkpoint.text, String(now)],
    );
    const outcomes: Record<number, StoreCheckpointOutcome> = {
      1: 'stored',
      2: 'refreshed',
      0: 'older',
      [-1]: 'fork',
    };
    const outcome = typeof reply === 'number' ? outcomes[reply] : undefined;
    if (outcome === undefined)
      throw new BrokerError('STORE_REPLY', 'log-checkpoint returned an unexpected reply');
    return outcome;
  }

  /**
   * Every checkpoint issued with a size in [fromSize, toSize], smallest first, each verified.
   * Throws as `latest` for a stored note that does not verify.
   */
  async history(
    fromSize = 0,
    toSize = Number.MAX_SAFE_INTEGER,
    limit = 10_000,
  ): Promise<TrustedCheckpoint[]> {
    const texts = await this.client.zRangeByScore(this.keys.checkpoints(), fromSize, toSize, {
      LIMIT: { offset: 0, count: limit },
    });
    return texts.map((text) => trustCheckpoint(text, this.verifier));
  }
}
