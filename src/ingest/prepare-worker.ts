/**
 * Prepare-thread entry for ingest: re-keys with its own IndexKeyer built from the broker index key
 * it was handed, and answers each group with its prepared lines or the message of what went wrong.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { IndexKeyer } from '../tokenize/index-key.js';
import { prepareLines } from './prepare-lines.js';
import { packLines } from './prepare-pool.js';
import type { PrepareRequest, PrepareResponse } from './prepare-pool.js';

const keyer = new IndexKeyer((workerData as { indexKey: Uint8Array }).indexKey);

parentPort?.on('message', (request: PrepareRequest) => {
  let response: PrepareResponse;
  try {
    response = { id: request.id, result: packLines(prepareLines(request.group, request.owner, keyer)) };
  } catch (err) {
    response = { id: request.id, error: err instanceof Error ? err.message : String(err) };
  }
  const transfer = 'result' in response ? [response.result.values.buffer as ArrayBuffer] : [];
  parentPort?.postMessage(response, transfer);
});
