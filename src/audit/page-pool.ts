/**
 * Spreads the per-page work of a replay (page-facts.ts: RFC 9162 §2.1.1 leaf hashes, RFC 8785
 * canonical checks; DESIGN §5) over worker threads, so that on a machine of n cores the main
 * thread runs the order-dependent rules over one page while the workers prepare the next ones.
 * Each page goes to the least-busy thread that has loaded; while none has (a thread takes a
 * moment to start, longer from source), pages run inline, so the start costs no idle time. Each
 * answer is matched to its request by id. With no threads, every page runs inline (small
 * incremental runs, where starting a thread costs more than it saves).
 * Started from source under tsx (tests, benchmarks), a thread registers tsx before it loads the
 * .ts worker, as src/member/prepare-pool.ts does.
 */
import { Worker } from 'node:worker_threads';
import { pageFacts } from './page-facts.js';
import type { PageFacts } from './page-facts.js';

export interface PagePool {
  /** The facts of the page at `start`. Rejects only when a worker thread fails. */
  facts(start: number, texts: ReadonlyArray<string | undefined>): Promise<PageFacts>;
  close(): Promise<void>;
}

interface Pending {
  resolve: (facts: PageFacts) => void;
  reject: (err: Error) => void;
}

interface Slot {
  worker: Worker;
  pending: Map<number, Pending>;
  ready: boolean;
}

const fromSource = import.meta.url.endsWith('.ts');
const workerFile = new URL(`./page-worker${fromSource ? '.ts' : '.js'}`, import.meta.url);

function startWorker(): Worker {
  if (!fromSource) return new Worker(workerFile);
  const bootstrap = `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(workerFile.href)}); })`;
  return new Worker(bootstrap, { eval: true });
}

function startSlot(): Slot {
  const slot: Slot = { worker: startWorker(), pending: new Map(), ready: false };
  slot.worker.on('message', (msg: { id: number; ready?: true; facts?: PageFacts; error?: string }) => {
    if (msg.ready) {
      slot.ready = true;
      return;
    }
    const waiting = slot.pending.get(msg.id);
    slot.pending.delete(msg.id);
    if (msg.facts) waiting?.resolve(msg.facts);
    else waiting?.reject(new Error(`audit page worker failed: ${msg.error ?? 'no answer'}`));
  });
  const fail = (err: Error): void => {
    slot.ready = false;
    for (const waiting of slot.pending.values()) waiting.reject(err);
    slot.pending.clear();
  };
  slot.worker.on('error', fail);
  slot.worker.on('exit', (code) => fail(new Error(`audit page worker exited with code ${code}`)));
  return slot;
}

/** A pool of `threads` worker threads; 0 runs every page inline. Throws RangeError for a bad count. */
export function createPagePool(threads: number): PagePool {
  if (!Number.isSafeInteger(threads) || threads < 0) throw new RangeError('threads must be a natural number');
  const inline = (start: number, texts: ReadonlyArray<string | undefined>): Promise<PageFacts> =>
    Promise.resolve(pageFacts(start, texts));
  if (threads === 0) return { facts: inline, close: () => Promise.resolve() };
  const slots = Array.from({ length: threads }, startSlot);
  let nextId = 0;
  return {
    facts(start, texts) {
      let slot: Slot | undefined;
      for (const s of slots)
        if (s.ready && (slot === undefined || s.pending.size < slot.pending.size)) slot = s;
      if (slot === undefined) return inline(start, texts);
      const chosen = slot;
      const id = nextId++;
      return new Promise((resolve, reject) => {
        chosen.pending.set(id, { resolve, reject });
        chosen.worker.postMessage({ id, start, texts });
      });
    },
    async close() {
      await Promise.all(slots.map((s) => s.worker.terminate()));
    },
  };
}
