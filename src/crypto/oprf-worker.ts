/**
 * Worker-thread entry of the OPRF pool (oprf-pool.ts): runs RFC 9497 §3.3.2 steps sent by the pool,
 * one at a time, answering {id, result} or {id, error}.
 */
import { parentPort } from 'node:worker_threads';
import { runOprfTask, serializeError } from './oprf-tasks.js';
import type { OprfTask } from './oprf-tasks.js';

parentPort?.on('message', ({ id, task }: { id: number; task: OprfTask }) => {
  try {
    parentPort?.postMessage({ id, result: runOprfTask(task) });
  } catch (err) {
    parentPort?.postMessage({ id, error: serializeError(err) });
  }
});
