/**
 * Staged uploads: the body of POST /v1/submissions, cut into chunks and kept in a Redis list so
 * that a worker on any host can ingest it (DESIGN §9). A staged upload holds the member's tokens
 * and ciphertext, never plaintext; it expires by itself and is deleted once the batch is ingested.
 */
import { RESP_TYPES } from 'redis';
import type { KeySpace } from './keys.js';
import type { RedisClient } from './redis.js';

export class StageStore {
  readonly #binary;

  constructor(
    private readonly client: RedisClient,
    private readonly keys: KeySpace,
    private readonly ttlSeconds: number,
  ) {
    this.#binary = client.withTypeMapping({ [RESP_TYPES.BLOB_STRING]: Buffer });
  }

  /** Appends one chunk and (re)arms the upload's expiry. */
  async append(owner: string, uploadId: string, chunk: Buffer): Promise<void> {
    const key = this.keys.stage(owner, uploadId);
    await this.client.multi().rPush(key, chunk).expire(key, this.ttlSeconds).exec();
  }

  /**
   * The upload's chunks, in order, each one requested while the caller works on the one before
   * (one read ahead: two chunks in memory, never the whole body). Throws when a chunk has gone.
   */
  async *chunks(owner: string, uploadId: string): AsyncGenerator<Buffer> {
    const key = this.keys.stage(owner, uploadId);
    const count = await this.client.lLen(key);
    const read = (i: number): Promise<Buffer | null> | undefined => {
      if (i >= count) return undefined;
      const pending = this.#binary.lIndex(key, i);
      // Handled here so that a read ahead failing while the caller is busy is not "unhandled";
      // awaiting it below still throws.
      pending.catch(() => undefined);
      return pending;
    };
    let next = read(0);
    for (let i = 0; i < count; i++) {
      const chunk = await next;
      next = read(i + 1);
      if (chunk === null || chunk === undefined)
        throw new Error(`staged chunk ${i} of ${uploadId} is missing`);
      yield chunk;
    }
  }

  /** True while the upload is staged. */
  async exists(owner: string, uploadId: string): Promise<boolean> {
    return (await this.client.exists(this.keys.stage(owner, uploadId))) === 1;
  }

  async drop(owner: string, uploadId: string): Promise<void> {
    await this.client.del(this.keys.stage(owner, uploadId));
  }
}
