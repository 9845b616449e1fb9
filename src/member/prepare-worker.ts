/**
 * Worker-thread entry for `member prepare`: each thread builds its own tokenizer from the
 * consortium secret it was handed and prepares chunks of rows sent by the pool.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { createRowContext, type RowContextParams } from './context.js';
import { prepareRow } from './row.js';

const ctx = createRowContext(workerData as RowContextParams);

parentPort?.on('message', (rows: string[][]) => {
  parentPort?.postMessage(rows.map((values) => prepareRow(values, ctx)));
});
