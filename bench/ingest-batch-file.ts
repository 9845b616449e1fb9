/**
 * Worker-thread entry of the ingest bench: writes the signed batch file, so that building 200k
 * sealed records leaves no garbage in the heap of the broker being measured.
 */
import { writeFile } from 'node:fs/promises';
import { parentPort, workerData } from 'node:worker_threads';
import { buildBatch, someRecords } from '../test/fixtures/batch.js';

const { keysDir, file, records } = workerData as { keysDir: string; file: string; records: number };
const batch = await buildBatch(keysDir, 'tencent', someRecords(records, 'b'));
await writeFile(file, batch.text);
parentPort?.postMessage(Buffer.byteLength(batch.text));
