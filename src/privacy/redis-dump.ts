/**
 * Reads every key under a prefix as text, whatever its type, for the PII scan: strings, hashes,
 * lists, sets, sorted sets and streams; no stored byte escapes the search.
 */
import { RESP_TYPES } from 'redis';
import type { RedisClient } from '../store/redis.js';

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * A stored value as text: valid UTF-8 as itself (where any leaked plaintext would be), anything else
 * (packed hashes, ciphertext) as base64, so that random bytes are not misread as characters.
 */
function asText(value: Buffer): string {
  try {
    return strictUtf8.decode(value);
  } catch {
    return `base64:${value.toString('base64')}`;
  }
}

function flatten(value: unknown): string[] {
  if (Buffer.isBuffer(value)) return [asText(value)];
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(flatten);
  if (value !== null && typeof value === 'object') {
    return Object.entries(value).flatMap(([k, v]) => [k, ...flatten(v)]);
  }
  return [String(value)];
}

/** One key's name and content as text. */
export async function dumpKey(client: RedisClient, key: string): Promise<string> {
  const binary = client.withTypeMapping({ [RESP_TYPES.BLOB_STRING]: Buffer });
  const type = await client.type(key);
  const parts: unknown[] = [];
  if (type === 'string') parts.push(await binary.get(key));
  else if (type === 'hash') parts.push(await binary.hGetAll(key));
  else if (type === 'list') parts.push(await binary.lRange(key, 0, -1));
  else if (type === 'set') parts.push(await binary.sMembers(key));
  else if (type === 'zset') parts.push(await binary.zRange(key, 0, -1));
  else if (type === 'stream') parts.push(await client.xRange(key, '-', '+'));
  else parts.push(`unknown type ${type}`);
  return `${key}\n${flatten(parts).join('\n')}\n`;
}

/**
 * Every key under `prefix:` with its content; yields one text per SCAN page. The reads of a page
 * are issued together, so node-redis pipelines them.
 */
export async function* dumpPrefix(
  client: RedisClient,
  prefix: string,
): AsyncGenerator<{ key: string; text: string }[]> {
  for await (const keys of client.scanIterator({ MATCH: `${prefix}:*`, COUNT: 1000 })) {
    const texts = await Promise.all(keys.map((key) => dumpKey(client, key)));
    yield keys.map((key, i) => ({ key, text: texts[i] ?? '' }));
  }
}
