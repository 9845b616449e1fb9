/**
 * Pass 2 of ingest against a fake store: nothing is stored before the batch verifies, the
 * pipelined stores keep records in order, a failing store fails the run without losing anything
 * (a re-run ends as if it had run once), and prepare threads answer exactly as the inline path.
 */
import assert from 'node:assert/strict';
import { randomBytes } from '../../src/crypto/random.js';
import { isBrokerError } from '../../src/errors.js';
import { ingestBatch } from '../../src/ingest/ingest-batch.js';
import type { IngestOptions, IngestStore } from '../../src/ingest/ingest-batch.js';
import { splitLines } from '../../src/ingest/lines.js';
import { OrderedPipeline } from '../../src/ingest/ordered-pipeline.js';
import { groupLines, prepareLines } from '../../src/ingest/prepare-lines.js';
import { inlinePreparer, threadedPreparer } from '../../src/ingest/prepare-pool.js';
import type { LinePreparer } from '../../src/ingest/prepare-pool.js';
import type { PreparedRecord } from '../../src/store/record-store.js';
import { STORE_OUTCOME } from '../../src/store/scripts.js';
import type { StoreOutcome } from '../../src/store/scripts.js';
import { IndexKeyer } from '../../src/tokenize/index-key.js';
import { buildBatch, someRecords } from '../fixtures/batch.js';
import { sharedConsortium } from '../keys/fixture.js';

/** An in-memory IngestStore with store-records-1's per-record outcomes. */
class FakeStore implements IngestStore {
  readonly records = new Map<string, string>();
  readonly chunks: string[][] = [];
  failAtChunk = -1;
  #result: string | undefined;
  #digest = '';

  beginSubmission(_o: string, _b: string, digest: string, expiresAt: number) {
    if (this.#digest !== '' && this.#digest !== digest) throw new Error('conflict');
    this.#digest = digest;
    return Promise.resolve({ kind: this.#result ? ('done' as const) : ('run' as const), expiresAt });
  }
  async storeChunk(_o: string, batchId: string, _e: number, records: readonly PreparedRecord[]) {
    await new Promise((resolve) => setTimeout(resolve, 1));
    if (this.chunks.length === this.failAtChunk) {
      this.failAtChunk = -1;
      throw new Error('redis went away');
    }
    this.chunks.push(records.map((r) => r.recordId));
    return records.map((r): StoreOutcome => {
      const held = this.records.get(r.recordId);
      if (held === undefined) this.records.set(r.recordId, batchId);
      if (held === undefined) return STORE_OUTCOME.STORED;
      return held === batchId ? STORE_OUTCOME.ALREADY_STORED : STORE_OUTCOME.HELD_BY_OTHER_BATCH;
    });
  }
  finishSubmission(_o: string, _b: string, _d: string, result: string) {
    this.#result ??= result;
    return Promise.resolve(this.#result);
  }
  submissionResult() {
    return Promise.resolve(this.#result);
  }
}

const keyer = new IndexKeyer(randomBytes(32));

async function options(text: string, store: IngestStore, preparer: LinePreparer): Promise<IngestOptions> {
  return {
    caller: { role: 'member', id: 'tencent' },
    open: async function* () {
      // Odd-sized chunks, so lines and groups straddle chunk boundaries.
      const bytes = Buffer.from(text);
      for (let i = 0; i < bytes.length; i += 777) yield bytes.subarray(i, i + 777);
    },
    verify: (signed) => ({
      signer: { role: 'member', id: 'tencent' },
      body: (signed as { body: unknown }).body,
    }),
    preparer,
    store,
    chunkRecords: 7,
    defaultDataLifeDays: 30,
    maxRejectsReported: 100,
  };
}

describe('ingest pass 2 (pipelined)', function () {
  this.timeout(60_000);
  let keysDir: string;
  before(async () => {
    keysDir = await sharedConsortium();
  });

  it('when the records digest does not match, then nothing is prepared or stored', async () => {
    const batch = await buildBatch(keysDir, 'tencent', someRecords(30), { recordsDigest: '0'.repeat(64) });
    const store = new FakeStore();
    await assert.rejects(ingestBatch(await options(batch.text, store, inlinePreparer(keyer))), (err) =>
      isBrokerError(err, 'RECORDS_DIGEST'),
    );
    assert.equal(store.chunks.length, 0);
  });

  it('when chunks are stored in a pipeline, then every record is stored once, in batch order', async () => {
    const specs = someRecords(50);
    const batch = await buildBatch(keysDir, 'tencent', [...specs, { line: '{bad' }, specs[3]!]);
    const store = new FakeStore();
    const result = await ingestBatch(await options(batch.text, store, inlinePreparer(keyer)));
    assert.equal(result.accepted, 50);
    assert.deepEqual(
      result.rejects.map((r) => [r.line, r.code]),
      [
        [52, 'BAD_JSON'],
        [53, 'DUPLICATE_RECORD'],
      ],
    );
    assert.deepEqual(
      store.chunks.flat(),
      specs.map((s) => ('recordId' in s ? s.recordId : '')),
    );
  });

  it('when a store fails mid-batch, then the run fails and a re-run ends as if it had run once', async () => {
    const batch = await buildBatch(keysDir, 'tencent', someRecords(40));
    const store = new FakeStore();
    store.failAtChunk = 2;
    await assert.rejects(
      ingestBatch(await options(batch.text, store, inlinePreparer(keyer))),
      /redis went away/,
    );
    const result = await ingestBatch(await options(batch.text, store, inlinePreparer(keyer)));
    assert.equal(result.accepted, 40);
    assert.equal(result.rejected, 0);
    assert.equal(store.records.size, 40);
  });

  it('when lines are prepared on threads, then the answer equals the inline one', async () => {
    const indexKey = randomBytes(32);
    const threaded = threadedPreparer(indexKey, 2);
    try {
      const batch = await buildBatch(keysDir, 'tencent', [...someRecords(20), { line: '{"recordId":1}' }]);
      const lines = (async function* () {
        yield Buffer.from(batch.text);
      })();
      const inline = new IndexKeyer(indexKey);
      for await (const group of groupLines(splitLines(lines), 6)) {
        const expected = prepareLines(group, 'tencent', inline);
        assert.deepEqual(await threaded.prepare('tencent', group), expected);
      }
    } finally {
      await threaded.close();
    }
  });

  it('when steps finish out of order, then results are handed over in submission order', async () => {
    const seen: number[] = [];
    const pipeline = new OrderedPipeline(
      (n: number) => new Promise<number>((resolve) => setTimeout(() => resolve(n * 10), 20 - n)),
      (_n, out) => {
        seen.push(out);
      },
      3,
    );
    for (let n = 0; n < 8; n++) await pipeline.submit(n);
    await pipeline.drain();
    assert.deepEqual(seen, [0, 10, 20, 30, 40, 50, 60, 70]);
  });
});
