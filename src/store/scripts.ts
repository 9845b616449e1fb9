/**
 * The broker's Lua scripts (src/store/lua/<name>-<numKeys>.lua, each with a KEYS/ARGV header):
 * read once, run by SHA (EVALSHA) with a single EVAL fallback when Redis has lost its script cache
 * (a restart). Their return codes are mapped to meanings here and nowhere else.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { BrokerError } from '../errors.js';
import type { RedisClient } from './redis.js';

export type ScriptName =
  | 'store-records-1'
  | 'delete-record-3'
  | 'begin-submission-2'
  | 'finish-submission-1'
  // transparency log (src/ledger/log-store.ts maps their replies)
  | 'log-commit-4'
  | 'log-lease-2'
  | 'log-release-1'
  | 'log-checkpoint-2'
  | 'log-read-nodes-1'
  | 'log-enqueue-once-2'
  // consents and matching (src/store/consent-store.ts maps their replies)
  | 'consent-use-1'
  | 'policy-set-1'
  // matching (src/store/match-store.ts maps their replies)
  | 'event-publish-2'
  | 'find-records-1'
  | 'screen-probe-1';

/** The .lua files sit next to this module (`npm run build` copies them into dist/). */
function scriptPath(name: ScriptName): string {
  return fileURLToPath(new URL(`./lua/${name}.lua`, import.meta.url));
}

interface LoadedScript {
  lua: string;
  sha: string | undefined;
}

const cache = new Map<ScriptName, LoadedScript>();

function load(name: ScriptName): LoadedScript {
  let script = cache.get(name);
  if (!script) {
    script = { lua: readFileSync(scriptPath(name), 'utf8'), sha: undefined };
    cache.set(name, script);
  }
  return script;
}

/** Runs a script; throws whatever the Redis client throws (connection errors, script errors). */
export async function runScript(
  client: RedisClient,
  name: ScriptName,
  keys: string[],
  args: Array<string | Buffer>,
): Promise<unknown> {
  const script = load(name);
  if (script.sha !== undefined) {
    try {
      return await client.evalSha(script.sha, { keys, arguments: args });
    } catch (err) {
      if (!(err instanceof Error) || !err.message.startsWith('NOSCRIPT')) throw err;
    }
  }
  const result = await client.eval(script.lua, { keys, arguments: args });
  script.sha ??= String(await client.scriptLoad(script.lua));
  return result;
}

/** store-records-1 per-record outcome. */
export const STORE_OUTCOME = { HELD_BY_OTHER_BATCH: 0, STORED: 1, ALREADY_STORED: 2 } as const;
export type StoreOutcome = (typeof STORE_OUTCOME)[keyof typeof STORE_OUTCOME];

/** Maps store-records-1's reply to outcomes; throws STORE_REPLY on anything unexpected. */
export function storeOutcomes(reply: unknown, expected: number): StoreOutcome[] {
  if (
    !Array.isArray(reply) ||
    reply.length !== expected ||
    !reply.every((c) => c === 0 || c === 1 || c === 2)
  ) {
    throw new BrokerError('STORE_REPLY', 'store-records returned an unexpected reply');
  }
  return reply as StoreOutcome[];
}

/** begin-submission-2 reply: whether to run, answer the stored result, or refuse the batch id. */
export type BeginOutcome = { kind: 'run' | 'done'; expiresAt: number };

/** Throws BATCH_CONFLICT when the batch id was used with another manifest, STORE_REPLY on junk. */
export function beginOutcome(reply: unknown, batchId: string): BeginOutcome {
  if (!Array.isArray(reply) || reply.length !== 2) throw new BrokerError('STORE_REPLY', 'unexpected reply');
  const [code, expiresAt] = reply as [unknown, unknown];
  if (code === 0) {
    throw new BrokerError(
      'BATCH_CONFLICT',
      `batch ${batchId} was already submitted with a different manifest`,
      {
        field: 'batchId',
        hint: 'give every new batch a fresh batchId (member prepare does)',
      },
    );
  }
  if (code !== 1 && code !== 2) throw new BrokerError('STORE_REPLY', 'unexpected begin-submission code');
  return { kind: code === 1 ? 'run' : 'done', expiresAt: Number(expiresAt) };
}
