/**
 * Every worker's error handling: errors go to `onError`, and the worker is held still for a moment
 * after each one. BullMQ recognizes ioredis's connection errors and backs off on them, but not
 * node-redis's (DESIGN §6 uses node-redis through
 * `createNodeRedisClient`): its main loop then retried at once, inside one chain of promise
 * callbacks that never yields to timers or I/O, and a broker whose Redis went away spun a core and
 * grew without bound. The pause is set from the worker's own synchronous 'error' event, so it
 * breaks that chain; the worker resumes after `backoffMs` and pauses again if the error persists.
 */
import type { Worker } from 'bullmq';

export function watchWorker(worker: Worker, onError: (err: Error) => void, backoffMs = 1000): void {
  let held = false;
  worker.on('error', (err) => {
    onError(err);
    if (held) return;
    held = true;
    worker.pause(true).catch(() => undefined);
    setTimeout(() => {
      held = false;
      worker.resume().catch(() => undefined);
    }, backoffMs).unref();
  });
}
