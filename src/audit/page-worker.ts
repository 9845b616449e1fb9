/**
 * Worker-thread entry of the audit's page pool (page-pool.ts; DESIGN §5, RFC 9162 §2.1.1): answers
 * each page of entry texts with its facts, moving the typed arrays back without a copy.
 */
import { parentPort } from 'node:worker_threads';
import { pageFacts } from './page-facts.js';

type Request = { id: number; start: number; texts: Array<string | undefined> };

parentPort?.on('message', ({ id, start, texts }: Request) => {
  try {
    const facts = pageFacts(start, texts);
    const buffers = [
      facts.leaves,
      facts.codes,
      facts.kinds,
      facts.times,
      facts.refs,
      facts.ids,
      facts.digests,
    ];
    if (facts.subtrees) buffers.push(facts.subtrees.levels, facts.subtrees.hashes);
    parentPort?.postMessage(
      { id, facts },
      buffers.map((b) => b.buffer as ArrayBuffer),
    );
  } catch (err) {
    parentPort?.postMessage({ id, error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
  }
});

// Loaded (under tsx, compiled): pages may come here now.
parentPort?.postMessage({ ready: true });
