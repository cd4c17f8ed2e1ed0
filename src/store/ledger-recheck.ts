// The delivery worker's second look at the readers of a batch it holds: who
// unsubscribed, was suppressed or erased since the claim. The condition is the
// claim's own (readersGone, store/ledger-claim.ts): a row given back untried must not
// be one the next claim would send.
// delivery/store-ledger.ts makes delivery's `Recheck` of these two.
import type { Store } from './db.ts';
import { readersGone } from './ledger-claim.ts';

/** Of the given ledger rows, those whose reader may no longer be mailed (test sends excepted). */
export async function goneAmong(store: Store, ids: readonly number[]): Promise<number[]> {
  if (ids.length === 0) return [];
  const rows = await readersGone(store, ids).execute();
  return rows.map((r) => r.id);
}

/**
 * Ends the rows among `ids` whose reader is still gone (one who confirmed
 * again meanwhile is left to be given back) and that this worker still holds.
 */
export async function setSuppressed(store: Store, workerId: string, ids: readonly number[], now: number): Promise<number[]> {
  if (ids.length === 0) return [];
  const rows = await store.db
    .updateTable('recipients')
    .set({ state: 'suppressed', lease_owner: null, lease_expires_at: null, updated_at: now })
    .where('id', 'in', readersGone(store, ids))
    .where('state', '=', 'sending')
    .where('lease_owner', '=', workerId)
    .returning('id')
    .execute();
  return rows.map((r) => r.id);
}
