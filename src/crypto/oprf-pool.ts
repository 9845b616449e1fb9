/**
 * Spreads RFC 9497 §3.3.2 VOPRF steps over worker threads (one per core by default); small tasks
 * run inline, where a thread hop would cost more than the arithmetic. Each task goes whole to the
 * least-busy thread: one batch proof covers one request, so a request is never split.
 * Started from source under tsx (tests, benchmarks), a thread registers tsx before it loads the .ts
 * worker, as src/member/prepare-pool.ts does.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { BlindedBatch, EvaluatedBatch, OprfKeyPair } from './oprf.js';
import { deserializeError, runOprfTask } from './oprf-tasks.js';
import type { OprfTask, OprfTaskResult, SerializedError } from './oprf-tasks.js';

export interface OprfPoolOptions {
  /** Worker threads; 0 runs everything inline. Default: one per core. */
  threads?: number;
  /** Tasks with fewer elements than this run inline. Default 32. */
  inlineBelow?: number;
}

export interface OprfPool {
  readonly threads: number;
  blind(inputs: Uint8Array[]): Promise<BlindedBatch>;
  evaluate(keyPair: OprfKeyPair, blinded: Uint8Array[]): Promise<EvaluatedBatch>;
  finalize(
    inputs: Uint8Array[],
    request: BlindedBatch,
    response: EvaluatedBatch,
    publicKey: Uint8Array,
  ): Promise<Uint8Array[]>;
  close(): Promise<void>;
}

interface Pending {
  resolve: (result: OprfTaskResult) => void;
  reject: (err: Error) => void;
}

interface Slot {
  worker: Worker;
  pending: Map<number, Pending>;
}

const fromSource = import.meta.url.endsWith('.ts');
const workerFile = new URL(`./oprf-worker${fromSource ? '.ts' : '.js'}`, import.meta.url);

function startWorker(): Worker {
  if (!fromSource) return new Worker(workerFile);
  const bootstrap = `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(workerFile.href)}); })`;
  return new Worker(bootstrap, { eval: true });
}

function startSlot(): Slot {
  const slot: Slot = { worker: startWorker(), pending: new Map() };
  slot.worker.on('message', (msg: { id: number; result?: OprfTaskResult; error?: SerializedError }) => {
    const waiting = slot.pending.get(msg.id);
    slot.pending.delete(msg.id);
    if (msg.error) waiting?.reject(deserializeError(msg.error));
    else waiting?.resolve(msg.result as OprfTaskResult);
  });
  slot.worker.on('error', (err) => {
    for (const waiting of slot.pending.values()) waiting.reject(err);
    slot.pending.clear();
  });
  return slot;
}

function sizeOf(task: OprfTask): number {
  return task.op === 'evaluate' ? task.blinded.length : task.inputs.length;
}

/** A pool of `threads` OPRF worker threads (started lazily, on the first large task). */
export function createOprfPool(options: OprfPoolOptions = {}): OprfPool {
  const threads = options.threads ?? availableParallelism();
  const inlineBelow = options.inlineBelow ?? 32;
  if (!Number.isSafeInteger(threads) || threads < 0) throw new RangeError('threads must be a natural number');
  let slots: Slot[] | undefined;
  let nextId = 0;

  function run(task: OprfTask): Promise<OprfTaskResult> {
    if (threads === 0 || sizeOf(task) < inlineBelow) {
      try {
        return Promise.resolve(runOprfTask(task));
      } catch (err) {
        return Promise.reject(err instanceof Error ? err : new Error(String(err)));
      }
    }
    slots ??= Array.from({ length: threads }, startSlot);
    const slot = slots.reduce((a, b) => (b.pending.size < a.pending.size ? b : a));
    const id = nextId++;
    return new Promise((resolve, reject) => {
      slot.pending.set(id, { resolve, reject });
      slot.worker.postMessage({ id, task });
    });
  }

  return {
    threads,
    blind: async (inputs) => (await run({ op: 'blind', inputs })) as BlindedBatch,
    evaluate: async (keyPair, blinded) => (await run({ op: 'evaluate', keyPair, blinded })) as EvaluatedBatch,
    finalize: async (inputs, request, response, publicKey) =>
      (await run({ op: 'finalize', inputs, request, response, publicKey })) as Uint8Array[],
    async close() {
      const closing = slots ?? [];
      slots = undefined;
      await Promise.all(closing.map((s) => s.worker.terminate()));
    },
  };
}
