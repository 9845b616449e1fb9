/**
 * Staging of an uploaded batch: the body is read as a stream and cut into chunks that go to Redis
 * one by one, so no process ever holds the whole batch (DESIGN §9: workers on other hosts read the
 * chunks). The manifest line is peeked at only to answer with its batchId; the worker verifies it.
 */
import { BrokerError } from '../errors.js';
import type { StageStore } from '../store/stage-store.js';

/** The manifest is a small signed object; a longer first line is refused early. */
const MAX_MANIFEST_BYTES = 1024 * 1024;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export interface StageOptions {
  stage: StageStore;
  owner: string;
  uploadId: string;
  maxBytes: number;
  chunkBytes: number;
}

export interface StagedUpload {
  batchId: string;
  bytes: number;
}

function batchIdOf(manifestLine: Buffer): string {
  let batchId: unknown;
  try {
    batchId = (JSON.parse(manifestLine.toString('utf8')) as { body?: { batchId?: unknown } }).body?.batchId;
  } catch {
    throw new BrokerError('MANIFEST_INVALID', 'line 1 of the batch is not a JSON manifest', {
      hint: 'submit the file written by `blindbroker member prepare`',
    });
  }
  if (typeof batchId !== 'string' || !UUID.test(batchId)) {
    throw new BrokerError('MANIFEST_INVALID', 'the manifest has no batchId', { field: 'body.batchId' });
  }
  return batchId;
}

/**
 * Streams `body` into the stage. Throws BODY_TOO_LARGE past maxBytes, EMPTY_BODY, MANIFEST_INVALID;
 * on any throw the partial stage is deleted (best effort; it also expires by itself).
 */
export async function stageUpload(body: AsyncIterable<Buffer>, options: StageOptions): Promise<StagedUpload> {
  const { stage, owner, uploadId } = options;
  let parts: Buffer[] = [];
  let partBytes = 0;
  let total = 0;
  let batchId: string | undefined;
  let head: Buffer[] = [];
  try {
    for await (const chunk of body) {
      total += chunk.length;
      if (total > options.maxBytes) {
        throw new BrokerError('BODY_TOO_LARGE', `the batch is larger than ${options.maxBytes} bytes`, {
          hint: 'split the input into several batches',
          details: { maxBytes: options.maxBytes },
        });
      }
      if (batchId === undefined) {
        const nl = chunk.indexOf(10);
        head.push(nl === -1 ? chunk : chunk.subarray(0, nl));
        if (nl !== -1) {
          batchId = batchIdOf(Buffer.concat(head));
          head = [];
        } else if (total > MAX_MANIFEST_BYTES) {
          throw new BrokerError('MANIFEST_INVALID', 'line 1 (the manifest) is longer than 1 MiB');
        }
      }
      parts.push(chunk);
      partBytes += chunk.length;
      if (partBytes >= options.chunkBytes) {
        await stage.append(owner, uploadId, Buffer.concat(parts));
        parts = [];
        partBytes = 0;
      }
    }
    if (total === 0) throw new BrokerError('EMPTY_BODY', 'the request body is empty');
    batchId ??= batchIdOf(Buffer.concat(head));
    if (partBytes > 0) await stage.append(owner, uploadId, Buffer.concat(parts));
    return { batchId, bytes: total };
  } catch (err) {
    await stage.drop(owner, uploadId).catch(() => undefined);
    throw err;
  }
}
