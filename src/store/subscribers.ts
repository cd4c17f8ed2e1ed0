// Queries of the subscribers table. A subscriber is found by the keyed hash of
// its address (email_hash), never by the address itself, so that lookups work
// the same before and after an erasure.
import type { Store } from './db.ts';
import type { SubscriberRow } from './schema.ts';

/** The subscriber with this address hash, if any. */
export async function findSubscriberByHash(store: Store, emailHash: string): Promise<SubscriberRow | undefined> {
  return store.db.selectFrom('subscribers').selectAll().where('email_hash', '=', emailHash).executeTakeFirst();
}

/** The subscriber with this id, if any. */
export async function findSubscriberById(store: Store, id: number): Promise<SubscriberRow | undefined> {
  return store.db.selectFrom('subscribers').selectAll().where('id', '=', id).executeTakeFirst();
}

export interface NewSubscriber {
  email: string;
  emailHash: string;
  name: string | null;
  at: number;
}

/** Finds the subscriber by hash or creates it; safe when two requests race (unique hash). */
export async function ensureSubscriber(store: Store, s: NewSubscriber): Promise<SubscriberRow> {
  await store.db
    .insertInto('subscribers')
    .values({ email: s.email, email_hash: s.emailHash, name: s.name, created_at: s.at, updated_at: s.at })
    .onConflict((oc) => oc.column('email_hash').doNothing())
    .execute();
  const row = await findSubscriberByHash(store, s.emailHash);
  if (!row) throw new Error('subscriber vanished right after its insertion');
  return row;
}

/** Changes the name a subscriber gave (null removes it). */
export async function setSubscriberName(store: Store, id: number, name: string | null, at: number): Promise<void> {
  await store.db.updateTable('subscribers').set({ name, updated_at: at }).where('id', '=', id).execute();
}

/**
 * Removes the personal data of a subscriber and keeps the row (ids in the
 * consent log and the ledger still point to it). The address hash is replaced
 * by a tombstone so that the same address subscribing later is a new person;
 * the real hash survives only in the suppression list.
 */
export async function eraseSubscriberRow(store: Store, id: number, at: number): Promise<void> {
  await store.db
    .updateTable('subscribers')
    .set({ email: null, name: null, email_hash: `erased:${id}`, erased_at: at, updated_at: at })
    .where('id', '=', id)
    .execute();
}

/** Deletes subscribers that hold no subscription any more and were never erased (purge of the unconfirmed). */
export async function deleteSubscribersWithoutSubscriptions(store: Store, ids: readonly number[]): Promise<number> {
  if (ids.length === 0) return 0;
  const result = await store.db
    .deleteFrom('subscribers')
    .where('id', 'in', ids)
    .where('erased_at', 'is', null)
    .where(({ not, exists, selectFrom }) =>
      not(exists(selectFrom('subscriptions').select('subscriptions.id').whereRef('subscriptions.subscriber_id', '=', 'subscribers.id'))),
    )
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}
