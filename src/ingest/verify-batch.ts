/**
 * Pass 1 of ingest (DESIGN §6 `ingest`): before anything is stored, the manifest line is verified
 * (signature, signer = caller, body) and the record lines are counted and hashed, so that a batch
 * altered after it was signed stores nothing. The hash is node:crypto's streaming SHA-256 over the
 * exact record bytes, each line followed by "\n", as `member prepare` computed recordsDigest.
 */
import { streamingSha256 } from '../crypto/hash.js';
import { BrokerError } from '../errors.js';
import { splitLines } from './lines.js';
import { checkManifest } from './manifest.js';
import type { BatchManifest, ManifestVerifier, Party } from './manifest.js';

export interface VerifiedBatch {
  manifest: BatchManifest;
  /** SHA-256 (hex) of the manifest line: the same batch id must always carry the same manifest. */
  manifestDigest: string;
}

/**
 * Verifies one batch read from `chunks`. Throws BAD_JSON, SIG_*, SIGNER_MISMATCH, MANIFEST_INVALID,
 * LINE_TOO_LONG, BATCH_EMPTY, RECORDS_COUNT, RECORDS_DIGEST.
 */
export async function verifyBatch(
  chunks: AsyncIterable<Buffer>,
  caller: Party,
  verify: ManifestVerifier,
): Promise<VerifiedBatch> {
  let manifest: BatchManifest | undefined;
  let manifestDigest = '';
  const records = streamingSha256();
  let count = 0;
  for await (const line of splitLines(chunks)) {
    if (manifest === undefined) {
      manifest = checkManifest(line.bytes.toString('utf8'), caller, verify);
      manifestDigest = streamingSha256().update(line.bytes).digestHex();
      continue;
    }
    records.update(line.bytes).update('\n');
    count++;
  }
  if (manifest === undefined) throw new BrokerError('BATCH_EMPTY', 'the batch has no manifest line');
  if (count !== manifest.records) {
    throw new BrokerError(
      'RECORDS_COUNT',
      `the manifest declares ${manifest.records} records, the batch holds ${count}`,
    );
  }
  if (records.digestHex() !== manifest.recordsDigest) {
    throw new BrokerError('RECORDS_DIGEST', 'the record lines do not match the manifest recordsDigest', {
      hint: 'the batch was altered after it was signed; prepare and submit it again',
    });
  }
  return { manifest, manifestDigest };
}
