// One subscriber as the newsroom sees them on their page: who they are, every
// subscription, the consent log, the suppressions of their address and the
// sends they were a recipient of. Read-only; the changes are in by-hand.ts
// and data-rights.ts.
import type { Store } from '../store/db.ts';
import { findSubscriberById } from '../store/subscribers.ts';
import { subscriptionsOfSubscriber } from '../store/subscriptions.ts';
import { consentOfSubscriber } from '../store/consent-log.ts';
import { suppressionsOfHash } from '../store/suppressions.ts';
import { deliveriesOfSubscriber, publicationsOfSubscriber, type SubscriberDelivery } from '../store/subscriber-search.ts';

export interface SubscriberRecord {
  id: number;
  email: string;
  name: string | null;
  createdAt: number;
  /** Publications they have a subscription to, whatever its status. */
  publicationIds: number[];
  subscriptions: Awaited<ReturnType<typeof subscriptionsOfSubscriber>>;
  consentLog: Awaited<ReturnType<typeof consentOfSubscriber>>;
  suppressions: Awaited<ReturnType<typeof suppressionsOfHash>>;
  deliveries: SubscriberDelivery[];
}

/** The record of a subscriber; undefined when unknown or erased. */
export async function subscriberRecord(store: Store, subscriberId: number): Promise<SubscriberRecord | undefined> {
  const s = await findSubscriberById(store, subscriberId);
  if (!s || s.erased_at !== null || s.email === null) return undefined;
  const [publicationIds, subscriptions, consentLog, suppressions, deliveries] = await Promise.all([
    publicationsOfSubscriber(store, s.id),
    subscriptionsOfSubscriber(store, s.id),
    consentOfSubscriber(store, s.id),
    suppressionsOfHash(store, s.email_hash),
    deliveriesOfSubscriber(store, s.id),
  ]);
  return { id: s.id, email: s.email, name: s.name, createdAt: s.created_at, publicationIds, subscriptions, consentLog, suppressions, deliveries };
}
