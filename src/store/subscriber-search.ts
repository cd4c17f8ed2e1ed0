// What the newsroom reads of a publication's subscribers: one page of its
// subscriptions, newest first, optionally searched by address or name and
// filtered by status, and the sends one subscriber was part of. Pages are
// keyset-paginated on the subscription id (`id < :older` or `id > :newer`
// over the (publication_id, id) index of migration 0004): a page far down a
// list of 1,000,000 costs what the first one does, where OFFSET would read
// and drop every row before it.
import { sql } from 'kysely';
import type { Store } from './db.ts';
import type { SubscriptionStatus } from './schema.ts';

export interface SubscriberListQuery {
  publicationId: number;
  /** A part of the address or the name, any case. */
  text?: string;
  /** The keyed hash of a whole address: found through the unique index, not by scanning. */
  emailHash?: string;
  status?: SubscriptionStatus;
  /** Rows older than this subscription id (the next page). */
  older?: number;
  /** Rows newer than this subscription id (the previous page). */
  newer?: number;
  limit: number;
}

export interface SubscriberListRow {
  subscriptionId: number;
  subscriberId: number;
  email: string | null;
  name: string | null;
  status: SubscriptionStatus;
  source: string;
  createdAt: number;
}

export interface SubscriberListPage {
  rows: SubscriberListRow[];
  /** Whether rows exist past each end of the page. */
  hasOlder: boolean;
  hasNewer: boolean;
}

/** `%` and `_` of the person's text match themselves, not any characters. */
function likePattern(text: string): string {
  return `%${text.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** One page of a publication's subscriptions, newest first (keyset pagination). */
export async function subscriberListPage(store: Store, q: SubscriberListQuery): Promise<SubscriberListPage> {
  let query = store.db
    .selectFrom('subscriptions')
    .innerJoin('subscribers', 'subscribers.id', 'subscriptions.subscriber_id')
    .select([
      'subscriptions.id as subscriptionId',
      'subscribers.id as subscriberId',
      'subscribers.email',
      'subscribers.name',
      'subscriptions.status',
      'subscriptions.source',
      'subscriptions.created_at as createdAt',
    ])
    .where('subscriptions.publication_id', '=', q.publicationId)
    .where('subscribers.erased_at', 'is', null);
  if (q.status) query = query.where('subscriptions.status', '=', q.status);
  if (q.emailHash !== undefined) query = query.where('subscribers.email_hash', '=', q.emailHash);
  else if (q.text) {
    const pattern = likePattern(q.text);
    query = query.where((eb) =>
      eb.or([
        eb(sql`lower(subscribers.email)`, 'like', sql`${pattern} escape '\\'`),
        eb(sql`lower(coalesce(subscribers.name, ''))`, 'like', sql`${pattern} escape '\\'`),
      ]),
    );
  }
  const backwards = q.newer !== undefined && q.older === undefined;
  if (backwards) query = query.where('subscriptions.id', '>', q.newer!).orderBy('subscriptions.id', 'asc');
  else {
    if (q.older !== undefined) query = query.where('subscriptions.id', '<', q.older);
    query = query.orderBy('subscriptions.id', 'desc');
  }
  // One row more than asked tells whether another page follows.
  const found = await query.limit(q.limit + 1).execute();
  const more = found.length > q.limit;
  const rows = found.slice(0, q.limit).map((r) => ({ ...r, subscriptionId: Number(r.subscriptionId), subscriberId: Number(r.subscriberId), createdAt: Number(r.createdAt) }));
  if (backwards) {
    rows.reverse();
    return { rows, hasNewer: more, hasOlder: true };
  }
  return { rows, hasOlder: more, hasNewer: q.older !== undefined };
}

/** The publications a subscriber has a subscription to (what decides who may open their page). */
export async function publicationsOfSubscriber(store: Store, subscriberId: number): Promise<number[]> {
  const rows = await store.db.selectFrom('subscriptions').select('publication_id').where('subscriber_id', '=', subscriberId).execute();
  return rows.map((r) => r.publication_id);
}

export interface SubscriberDelivery {
  sendId: number;
  kind: string;
  publicationSlug: string;
  editionDate: string;
  state: string;
  relayCode: number | null;
  updatedAt: number;
}

/** The sends a subscriber was a recipient of, newest first, with what became of their message. */
export async function deliveriesOfSubscriber(store: Store, subscriberId: number, limit = 200): Promise<SubscriberDelivery[]> {
  const rows = await store.db
    .selectFrom('recipients')
    .innerJoin('sends', 'sends.id', 'recipients.send_id')
    .innerJoin('editions', 'editions.id', 'sends.edition_id')
    .innerJoin('publications', 'publications.id', 'sends.publication_id')
    .select([
      'sends.id as sendId',
      'sends.kind',
      'publications.slug as publicationSlug',
      'editions.date as editionDate',
      'recipients.state',
      'recipients.relay_code as relayCode',
      'recipients.updated_at as updatedAt',
    ])
    .where('recipients.subscriber_id', '=', subscriberId)
    .orderBy('recipients.id', 'desc')
    .limit(limit)
    .execute();
  return rows.map((r) => ({ ...r, sendId: Number(r.sendId), updatedAt: Number(r.updatedAt), relayCode: r.relayCode === null ? null : Number(r.relayCode) }));
}
