/**
 * Where pass 2 of ingest validates and re-keys its line groups: on the calling thread, or on
 * prepare threads so that validation runs on another core while the worker's main thread reads the
 * stage and feeds Redis (DESIGN §9: one process uses the cores it has). Groups go round-robin; each
 * answer is matched to its group by id. A thread that dies fails its groups (the job is retried,
 * idempotently) and is replaced. Started from source under tsx (tests, benchmarks), a thread
 * registers tsx before it loads the .ts worker, as src/member/prepare-pool.ts does.
 */
import { Worker } from 'node:worker_threads';
import type { IndexKeyer } from '../tokenize/index-key.js';
import { prepareLines } from './prepare-lines.js';
import type { LineGroup, PreparedLines } from './prepare-lines.js';

export interface LinePreparer {
  prepare(owner: string, group: LineGroup): Promise<PreparedLines>;
  close(): Promise<void>;
}

export interface PrepareRequest {
  id: number;
  owner: string;
  group: LineGroup;
}

/**
 * PreparedLines as a thread sends it: every stored value packed into one buffer that is handed
 * over, not copied (a structured clone of a Buffer view would copy its whole ArrayBuffer).
 */
export interface PackedLines {
  recordIds: string[];
  indexKeys: string[][];
  /** End offset of each record's value in `values`. */
  ends: number[];
  values: Uint8Array;
  lines: number[];
  rejects: PreparedLines['rejects'];
}

export type PrepareResponse = { id: number; result: PackedLines } | { id: number; error: string };

export function packLines(prepared: PreparedLines): PackedLines {
  const values = Buffer.concat(prepared.records.map((r) => r.value));
  let end = 0;
  return {
    recordIds: prepared.records.map((r) => r.recordId),
    indexKeys: prepared.records.map((r) => r.indexKeys),
    ends: prepared.records.map((r) => (end += r.value.length)),
    values: transferable(values),
    lines: prepared.lines,
    rejects: prepared.rejects,
  };
}

function unpackLines(packed: PackedLines): PreparedLines {
  const values = Buffer.from(packed.values.buffer, packed.values.byteOffset, packed.values.byteLength);
  let start = 0;
  const records = packed.recordIds.map((recordId, i) => {
    const end = packed.ends[i] ?? start;
    const value = values.subarray(start, end);
    start = end;
    return { recordId, value, indexKeys: packed.indexKeys[i] ?? [] };
  });
  return { records, lines: packed.lines, rejects: packed.rejects };
}

/** Prepares on the calling thread (prepareThreads = 0, and unit tests). */
export function inlinePreparer(keyer: IndexKeyer): LinePreparer {
  return {
    prepare: (owner, group) => Promise.resolve().then(() => prepareLines(group, owner, keyer)),
    close: () => Promise.resolve(),
  };
}

interface Pending {
  resolve: (result: PreparedLines) => void;
  reject: (err: Error) => void;
}

interface Slot {
  worker: Worker;
  ids: Set<number>;
}

const fromSource = import.meta.url.endsWith('.ts');
const workerFile = new URL(`./prepare-worker${fromSource ? '.ts' : '.js'}`, import.meta.url);

function startThread(indexKey: Uint8Array): Worker {
  const workerData = { indexKey };
  if (!fromSource) return new Worker(workerFile, { workerData });
  const bootstrap = `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(workerFile.href)}); })`;
  return new Worker(bootstrap, { eval: true, workerData });
}

/** A buffer a thread can take over: the whole of its ArrayBuffer, else a copy that is. */
export function transferable(bytes: Uint8Array): Uint8Array {
  const whole = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength;
  return whole && bytes.buffer instanceof ArrayBuffer ? bytes : new Uint8Array(bytes);
}

/**
 * Prepares on `threads` threads, each holding its own IndexKeyer over `indexKey`. Throws RangeError
 * unless threads is a positive integer.
 */
export function threadedPreparer(indexKey: Uint8Array, threads: number): LinePreparer {
  if (!Number.isInteger(threads) || threads < 1) throw new RangeError('threads must be a positive integer');
  const pending = new Map<number, Pending>();
  let nextId = 0;
  const slots: (Slot | undefined)[] = [];
  // A thread is started when first needed and again after it died, never in a loop of its own.
  const slotFor = (index: number): Slot => {
    const existing = slots[index];
    if (existing !== undefined) return existing;
    const slot: Slot = { worker: startThread(indexKey), ids: new Set<number>() };
    slots[index] = slot;
    const fail = (err: Error): void => {
      if (slots[index] === slot) slots[index] = undefined;
      for (const id of slot.ids) {
        pending.get(id)?.reject(err);
        pending.delete(id);
      }
      slot.ids.clear();
    };
    slot.worker.on('message', (response: PrepareResponse) => {
      const waiter = pending.get(response.id);
      pending.delete(response.id);
      slot.ids.delete(response.id);
      if ('error' in response) waiter?.reject(new Error(`prepare thread: ${response.error}`));
      else waiter?.resolve(unpackLines(response.result));
    });
    slot.worker.on('error', fail);
    slot.worker.on('exit', (code) => fail(new Error(`prepare thread exited with code ${code}`)));
    slot.worker.unref();
    return slot;
  };
  for (let i = 0; i < threads; i++) slotFor(i);
  return {
    prepare(owner, group) {
      const id = nextId++;
      const slot = slotFor(id % threads);
      return new Promise<PreparedLines>((resolve, reject) => {
        pending.set(id, { resolve, reject });
        slot.ids.add(id);
        const bytes = transferable(group.bytes);
        const request: PrepareRequest = { id, owner, group: { ...group, bytes } };
        slot.worker.postMessage(request, [bytes.buffer as ArrayBuffer]);
      });
    },
    async close() {
      const running = slots.splice(0).filter((s): s is Slot => s !== undefined);
      await Promise.all(running.map((s) => s.worker.terminate()));
    },
  };
}
