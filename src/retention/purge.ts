/**
 * Data-life expiry (DESIGN §3 owner policy "purge after", §6 `purge`): deletes every record whose
 * data life has ended, with its index entries. Deleting the keys is what makes the data unreadable.
 */
import type { RecordStore } from '../store/record-store.js';

export interface PurgeResult {
  owners: number;
  purged: number;
}

/** Purges records expired at `now`, `batch` at a time per owner; throws what the store throws. */
export async function purgeExpired(store: RecordStore, now: number, batch = 500): Promise<PurgeResult> {
  const owners = await store.owners();
  let purged = 0;
  for (const owner of owners) {
    for (;;) {
      const ids = await store.expiredRecordIds(owner, now, batch);
      if (ids.length === 0) break;
      const deleted = await Promise.all(ids.map((id) => store.deleteRecord(owner, id, 'purged')));
      purged += deleted.filter(Boolean).length;
      if (ids.length < batch) break;
    }
  }
  return { owners: owners.length, purged };
}
