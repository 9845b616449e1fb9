/**
 * Whether the Redis the broker uses keeps anything on disk. The transparency log is append-only
 * history that auditors hold the broker to (DESIGN §5): on a Redis with neither AOF nor RDB
 * snapshots a restart forgets every entry, which auditors would then see as a rollback. The broker
 * still runs (development and tests use in-memory Redis) but says so at start and in /readyz.
 */
import type { RedisClient } from './redis.js';

export interface PersistenceStatus {
  aof: boolean | null;
  rdb: boolean | null;
  /** Present when nothing is kept on disk or the setting cannot be read. */
  warning?: string;
}

/** Reads `appendonly` and `save`; managed Redis services that forbid CONFIG give nulls. */
export async function redisPersistence(client: RedisClient): Promise<PersistenceStatus> {
  let aof: boolean | null = null;
  let rdb: boolean | null = null;
  try {
    const config = await client.configGet(['appendonly', 'save']);
    aof = config.appendonly === 'yes';
    rdb = (config.save ?? '').trim() !== '';
  } catch {
    return { aof, rdb, warning: 'cannot read the Redis persistence settings (CONFIG GET refused)' };
  }
  if (aof) return { aof, rdb };
  return {
    aof,
    rdb,
    warning: rdb
      ? 'Redis has no AOF: entries acknowledged since the last RDB snapshot are lost on a crash; the transparency log needs appendonly yes (appendfsync everysec or always)'
      : 'Redis keeps nothing on disk: a restart loses the transparency log and all stored records; run Redis with appendonly yes',
  };
}
