/**
 * Spreads row preparation over worker threads, one per core by default. Chunks are answered in
 * the order they were sent (each thread answers its own chunks in order, and chunks are dealt
 * round-robin), so the batch file keeps the CSV's order.
 */
import { Worker } from 'node:worker_threads';
import type { RowContextParams } from './context.js';
import { createRowContext } from './context.js';
import { prepareRow, type RowResult } from './row.js';

export interface RowProcessor {
  run(rows: string[][]): Promise<RowResult[]>;
  close(): Promise<void>;
}

/** Prepares rows on the calling thread: the one-core mode. */
export function inlineProcessor(params: RowContextParams): RowProcessor {
  const ctx = createRowContext(params);
  return {
    run: (rows) => Promise.resolve(rows.map((values) => prepareRow(values, ctx))),
    close: () => Promise.resolve(),
  };
}

interface Pending {
  resolve: (results: RowResult[]) => void;
  reject: (err: Error) => void;
}

// Compiled, the worker is the sibling .js file. Run from source under tsx (tests, benchmarks),
// the worker thread must register tsx itself before it can load the .ts sibling.
const fromSource = import.meta.url.endsWith('.ts');
const workerFile = new URL(`./prepare-worker${fromSource ? '.ts' : '.js'}`, import.meta.url);

function startWorker(params: RowContextParams): Worker {
  if (!fromSource) return new Worker(workerFile, { workerData: params });
  const bootstrap = `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(workerFile.href)}); })`;
  return new Worker(bootstrap, { eval: true, workerData: params });
}

/** Prepares rows on `threads` worker threads. */
export function threadedProcessor(params: RowContextParams, threads: number): RowProcessor {
  const workers = Array.from({ length: threads }, () => {
    const worker = startWorker(params);
    const queue: Pending[] = [];
    worker.on('message', (results: RowResult[]) => queue.shift()?.resolve(results));
    worker.on('error', (err) => queue.splice(0).forEach((p) => p.reject(err)));
    return { worker, queue };
  });
  let next = 0;
  return {
    run(rows) {
      const slot = workers[next++ % workers.length];
      if (slot === undefined) return Promise.reject(new Error('no worker threads'));
      return new Promise((resolve, reject) => {
        slot.queue.push({ resolve, reject });
        slot.worker.postMessage(rows);
      });
    },
    async close() {
      await Promise.all(workers.map((w) => w.worker.terminate()));
    },
  };
}
