/**
 * The broker's epoch policy (issue 8 item 4): both epochs during the grace window after a token
 * authority rotation, only the current one after it, never another tokenizer mode; and tokens of two
 * epochs never meet in the index (the epoch is an input of the PRF, so their index keys differ).
 */
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import { isBrokerError } from '../../src/errors.js';
import { acceptedAt, checkManifestEpoch, oprfEpochPolicy } from '../../src/ingest/epochs.js';
import type { EpochPolicy } from '../../src/ingest/epochs.js';
import { ingestBatch } from '../../src/ingest/ingest-batch.js';
import { loadEpochPolicy } from '../../src/keys/epoch-policy.js';
import * as layout from '../../src/keys/layout.js';
import { rotateOprfKeys } from '../../src/token-authority/key-files.js';
import { HmacTokenizer } from '../../src/tokenize/hmac-tokenizer.js';
import { IndexKeyer } from '../../src/tokenize/index-key.js';
import { copyConsortium, removeTempDirs } from '../keys/fixture.js';

const DAY = 86_400_000;
const T0 = Date.parse('2030-01-01T00:00:00Z');

const rotated: EpochPolicy = oprfEpochPolicy([
  { epoch: 1, retireAt: new Date(T0 + 7 * DAY).toISOString() },
  { epoch: 2 },
]);

describe('ingest/epochs', function () {
  this.timeout(60_000);
  after(removeTempDirs);

  it('when the previous epoch is within its grace window, then batches of both epochs are accepted', () => {
    assert.deepEqual(acceptedAt(rotated, T0), [1, 2]);
    checkManifestEpoch({ tokenizer: 'oprf', epoch: 1 }, rotated, T0 + 7 * DAY - 1);
    checkManifestEpoch({ tokenizer: 'oprf', epoch: 2 }, rotated, T0);
  });

  it('when the grace window is over or the epoch is unknown, then EPOCH_NOT_ACCEPTED names the accepted epochs', () => {
    for (const [epoch, now] of [
      [1, T0 + 7 * DAY],
      [3, T0],
      [0, T0],
    ] as const) {
      assert.throws(
        () => checkManifestEpoch({ tokenizer: 'oprf', epoch }, rotated, now),
        (e) =>
          isBrokerError(e, 'EPOCH_NOT_ACCEPTED') &&
          e.field === 'epoch' &&
          (e.details as { accepted: number[] }).accepted.includes(2) &&
          String(e.hint).includes('epoch 2'),
      );
    }
  });

  it('when a batch was tokenized in the other mode, then TOKENIZER_MISMATCH', () => {
    assert.throws(
      () => checkManifestEpoch({ tokenizer: 'hmac', epoch: 2 }, rotated, T0),
      (e) => isBrokerError(e, 'TOKENIZER_MISMATCH'),
    );
    assert.throws(
      () =>
        checkManifestEpoch(
          { tokenizer: 'oprf', epoch: 1 },
          { tokenizer: 'hmac', epochs: [{ epoch: 1 }] },
          T0,
        ),
      (e) => isBrokerError(e, 'TOKENIZER_MISMATCH'),
    );
  });

  it('when the token authority rotates, then the policy read from the keys dir accepts epochs 1 and 2 until the grace ends', async () => {
    const dir = await copyConsortium();
    assert.deepEqual(await loadEpochPolicy(dir), { tokenizer: 'hmac', epochs: [{ epoch: 1 }] });
    const file = layout.consortiumPath(dir);
    const consortium = JSON.parse(await fs.readFile(file, 'utf8')) as Record<string, unknown>;
    await fs.writeFile(file, JSON.stringify({ ...consortium, tokenizer: 'oprf' }));
    assert.deepEqual(acceptedAt(await loadEpochPolicy(dir), Date.now()), [1]);
    const now = new Date();
    assert.equal(await rotateOprfKeys(dir, 7, now), 2);
    const policy = await loadEpochPolicy(dir);
    assert.deepEqual(acceptedAt(policy, now.getTime()), [1, 2]);
    assert.deepEqual(acceptedAt(policy, now.getTime() + 7 * DAY), [2]);
  });

  it('when a batch of a retired epoch reaches ingest, then it fails EPOCH_NOT_ACCEPTED before anything is stored', async () => {
    const body = {
      batchId: '00000000-0000-4000-8000-000000000001',
      member: 'tencent',
      schema: 'cn-credit/1',
      tokenizer: 'oprf',
      epoch: 1,
      createdAt: '2030-01-01T00:00:00Z',
      records: 0,
      recordsDigest: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    };
    /** A port that fails the test if ingest uses it: the check comes before any store or preparation. */
    const untouched = <T extends object>(): T =>
      new Proxy({} as T, { get: () => () => Promise.reject(new Error('must not be used')) });
    await assert.rejects(
      ingestBatch({
        caller: { role: 'member', id: 'tencent' },
        open: async function* () {
          yield Buffer.from(`${JSON.stringify({ body })}\n`);
        },
        verify: (signed) => ({
          signer: { role: 'member', id: 'tencent' },
          body: (signed as { body: unknown }).body,
        }),
        preparer: untouched(),
        store: untouched(),
        chunkRecords: 10,
        defaultDataLifeDays: 1,
        maxRejectsReported: 10,
        now: () => T0 + 8 * DAY,
        epochs: () => Promise.resolve(rotated),
      }),
      (e) => isBrokerError(e, 'EPOCH_NOT_ACCEPTED'),
    );
  });

  it('when one identifier is tokenized under two epochs, then its tokens and index keys differ (epochs never share an index entry)', () => {
    const secret = new Uint8Array(32).fill(7);
    const keyer = new IndexKeyer(new Uint8Array(32).fill(9));
    const [one, two] = [1, 2].map(
      (epoch) =>
        new HmacTokenizer({ consortiumSecret: secret, consortiumId: 'c', epoch }).tokenize(
          'cn_rid',
          '11010519491231002X',
        ).token,
    );
    assert.notEqual(one, two);
    assert.notEqual(keyer.indexKeyOf(one ?? ''), keyer.indexKeyOf(two ?? ''));
  });
});
