// The delivery worker's second look at the readers of a batch it holds: who
// unsubscribed, was suppressed or erased since the claim. The condition is the
// claim's own (store/ledger.ts): a row given back untried must not be one the
// next claim would send.
import { sql } from 'kysely';
import type { Recheck } from '../delivery/worker-batch.ts';
import type { Store } from './db.ts';

/** The recheck of a store. */
export function storeRecheck(store: Store): Recheck {
  return {
    goneAmong: (ids) => goneAmong(store, ids),
    setSuppressed: (workerId, ids, now) => setSuppressed(store, workerId, ids, now),
  };
}

/** Of the given ledger rows, those whose reader may no longer be mailed (test sends excepted). */
export async function goneAmong(store: Store, ids: readonly number[]): Promise<number[]> {
  if (ids.length === 0) return [];
  const rows = await goneQuery(store, ids).execute();
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
    .where('id', 'in', goneQuery(store, ids))
    .where('state', '=', 'sending')
    .where('lease_owner', '=', workerId)
    .returning('id')
    .execute();
  return rows.map((r) => r.id);
}

function goneQuery(store: Store, ids: readonly number[]) {
  return store.db
    .selectFrom('recipients as r')
    .innerJoin('sends as s', 's.id', 'r.send_id')
    .select('r.id')
    .where('r.id', 'in', [...ids])
    .where('r.subscriber_id', 'is not', null)
    .where('s.kind', '!=', 'test')
    .where((eb) =>
      eb.or([
        eb.not(
          eb.exists(
            eb
              .selectFrom('subscriptions as sub')
              .select(sql.lit(1).as('one'))
              .whereRef('sub.subscriber_id', '=', 'r.subscriber_id')
              .whereRef('sub.publication_id', '=', 's.publication_id')
              .where('sub.status', '=', 'active'),
          ),
        ),
        eb.exists(
          eb
            .selectFrom('suppressions as x')
            .innerJoin('subscribers as p', 'p.email_hash', 'x.email_hash')
            .select(sql.lit(1).as('one'))
            .whereRef('p.id', '=', 'r.subscriber_id')
            .whereRef('x.publication_id', '=', 's.publication_id'),
        ),
      ]),
    );
}
