// Queries of the subscriptions table: one row per subscriber and publication,
// with guarded transitions between pending, active and unsubscribed (an update
// only happens from the allowed states, so two racing requests cannot both win).
import type { Store } from './db.ts';
import type { SubscriptionRow, SubscriptionStatus } from './schema.ts';

/** The subscription of a subscriber to a publication, if any. */
export async function findSubscription(
  store: Store,
  subscriberId: number,
  publicationId: number,
): Promise<SubscriptionRow | undefined> {
  return store.db
    .selectFrom('subscriptions')
    .selectAll()
    .where('subscriber_id', '=', subscriberId)
    .where('publication_id', '=', publicationId)
    .executeTakeFirst();
}

export interface NewSubscription {
  subscriberId: number;
  publicationId: number;
  status: SubscriptionStatus;
  source: string;
  at: number;
}

/**
 * Creates the subscription unless one exists; true when created now. Call it
 * in the transaction that found or created the subscriber.
 */
export async function createSubscription(store: Store, s: NewSubscription): Promise<boolean> {
  if (store.capabilities.supportsConcurrentWriters) {
    // What the foreign key did before migration 0012: the subscriber is locked
    // until the transaction ends, so that a purge running at the same moment
    // waits and then deletes the new subscription with it (never leaving one
    // without its subscriber). SQLite has one writer at a time and keeps the key.
    const held = await store.db.selectFrom('subscribers').select('id').where('id', '=', s.subscriberId).forKeyShare().executeTakeFirst();
    if (!held) throw new Error(`no subscriber with id ${s.subscriberId}: it was deleted`);
  }
  const rows = await store.db
    .insertInto('subscriptions')
    .values({
      subscriber_id: s.subscriberId,
      publication_id: s.publicationId,
      status: s.status,
      source: s.source,
      created_at: s.at,
      confirmed_at: s.status === 'active' ? s.at : null,
      unsubscribed_at: null,
      updated_at: s.at,
    })
    .onConflict((oc) => oc.columns(['subscriber_id', 'publication_id']).doNothing())
    .returning('id')
    .execute();
  return rows.length > 0;
}

/** pending/unsubscribed → active; true when this call made the change. */
export async function activateSubscription(store: Store, subscriberId: number, publicationId: number, at: number): Promise<boolean> {
  const r = await store.db
    .updateTable('subscriptions')
    .set({ status: 'active', confirmed_at: at, unsubscribed_at: null, updated_at: at })
    .where('subscriber_id', '=', subscriberId)
    .where('publication_id', '=', publicationId)
    .where('status', 'in', ['pending', 'unsubscribed'])
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

/** pending/active → unsubscribed; true when this call made the change. */
export async function endSubscription(store: Store, subscriberId: number, publicationId: number, at: number): Promise<boolean> {
  const r = await store.db
    .updateTable('subscriptions')
    .set({ status: 'unsubscribed', unsubscribed_at: at, updated_at: at })
    .where('subscriber_id', '=', subscriberId)
    .where('publication_id', '=', publicationId)
    .where('status', 'in', ['pending', 'active'])
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

/** A subscription's state and the times of its changes, as the export and the data request show them. */
const HISTORY = [
  'subscriptions.status',
  'subscriptions.source',
  'subscriptions.created_at',
  'subscriptions.confirmed_at',
  'subscriptions.unsubscribed_at',
] as const;

/** A subscriber's subscriptions with their publications' slugs. */
export async function subscriptionsOfSubscriber(store: Store, subscriberId: number) {
  return store.db
    .selectFrom('subscriptions')
    .innerJoin('publications', 'publications.id', 'subscriptions.publication_id')
    .select(['subscriptions.publication_id', 'publications.slug', 'publications.name', ...HISTORY])
    .where('subscriptions.subscriber_id', '=', subscriberId)
    .orderBy('publications.slug')
    .execute();
}

/** Deletes every subscription of a subscriber (erasure). */
export async function deleteSubscriptionsOf(store: Store, subscriberId: number): Promise<void> {
  await store.db.deleteFrom('subscriptions').where('subscriber_id', '=', subscriberId).execute();
}

/** Deletes pending subscriptions never confirmed and created before `before`; returns what was deleted. */
export async function deleteUnconfirmedBefore(
  store: Store,
  before: number,
  limit: number,
): Promise<Array<{ subscriber_id: number; publication_id: number }>> {
  const victims = await store.db
    .selectFrom('subscriptions')
    .select(['id', 'subscriber_id', 'publication_id'])
    .where('status', '=', 'pending')
    .where('confirmed_at', 'is', null)
    .where('created_at', '<', before)
    .orderBy('id')
    .limit(limit)
    .execute();
  if (victims.length === 0) return [];
  await store.db
    .deleteFrom('subscriptions')
    .where('id', 'in', victims.map((v) => v.id))
    .where('status', '=', 'pending')
    .execute();
  return victims.map(({ subscriber_id, publication_id }) => ({ subscriber_id, publication_id }));
}

/**
 * The recipients a send may mail: active subscriptions of the publication whose
 * subscriber is not erased and whose address hash is not suppressed. Delivery
 * snapshots it in one statement (`insert into recipients … select …`).
 */
export function sendableSubscribers(store: Store, publicationId: number) {
  return store.db
    .selectFrom('subscriptions')
    .innerJoin('subscribers', 'subscribers.id', 'subscriptions.subscriber_id')
    .select(['subscribers.id as subscriber_id', 'subscribers.email as email'])
    .where('subscriptions.publication_id', '=', publicationId)
    .where('subscriptions.status', '=', 'active')
    .where('subscribers.erased_at', 'is', null)
    .where('subscribers.email', 'is not', null)
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom('suppressions')
            .select('suppressions.id')
            .where('suppressions.publication_id', '=', publicationId)
            .whereRef('suppressions.email_hash', '=', 'subscribers.email_hash'),
        ),
      ),
    );
}

export interface ExportRow {
  id: number;
  email: string | null;
  name: string | null;
  status: SubscriptionStatus;
  source: string;
  created_at: number;
  confirmed_at: number | null;
  unsubscribed_at: number | null;
}

/** One page of a publication's subscriptions after `afterId` (keyset pagination: constant memory on both backends). */
export async function subscriptionsPage(store: Store, publicationId: number, afterId: number, limit: number): Promise<ExportRow[]> {
  return store.db
    .selectFrom('subscriptions')
    .innerJoin('subscribers', 'subscribers.id', 'subscriptions.subscriber_id')
    .select(['subscriptions.id', 'subscribers.email', 'subscribers.name', ...HISTORY])
    .where('subscriptions.publication_id', '=', publicationId)
    .where('subscriptions.id', '>', afterId)
    .where('subscribers.erased_at', 'is', null)
    .orderBy('subscriptions.id')
    .limit(limit)
    .execute();
}

/** How many subscriptions of the publication are in each status. */
export async function countByStatus(store: Store, publicationId: number): Promise<Record<SubscriptionStatus, number>> {
  const rows = await store.db
    .selectFrom('subscriptions')
    .select(['status', (eb) => eb.fn.countAll<number>().as('n')])
    .where('publication_id', '=', publicationId)
    .groupBy('status')
    .execute();
  const out: Record<SubscriptionStatus, number> = { pending: 0, active: 0, unsubscribed: 0 };
  for (const r of rows) out[r.status] = Number(r.n);
  return out;
}
