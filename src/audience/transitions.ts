// The changes of consent, each with its side effects in the same transaction:
// the subscription's guarded transition, the suppression list, the consent log.
// Callers run them inside `inTransaction`.
import type { Store } from '../store/db.ts';
import type { SuppressionReason } from '../store/schema.ts';
import { activateSubscription, createSubscription, endSubscription, findSubscription } from '../store/subscriptions.ts';
import { addSuppression, removeSuppression } from '../store/suppressions.ts';
import { appendConsent } from '../store/consent-log.ts';

export interface ChangeContext {
  method: string;
  at: number;
  ipHash?: string | null;
  wordingVersion?: string | null;
  details?: Record<string, unknown> | null;
}

/**
 * Makes the subscription active because the person asked for it themselves
 * (confirmation link, preferences link): this, and only this, lifts a
 * suppression. True when the subscription became active now.
 */
export async function activateByPerson(
  tx: Store,
  subscriber: { id: number; email_hash: string },
  publicationId: number,
  action: string,
  c: ChangeContext,
): Promise<boolean> {
  const created = await createSubscription(tx, { subscriberId: subscriber.id, publicationId, status: 'active', source: c.method, at: c.at });
  const changed = created || (await activateSubscription(tx, subscriber.id, publicationId, c.at));
  if (!changed) return false;
  await removeSuppression(tx, publicationId, subscriber.email_hash);
  await appendConsent(tx, {
    subscriberId: subscriber.id,
    publicationId,
    action,
    method: c.method,
    wordingVersion: c.wordingVersion ?? null,
    ipHash: c.ipHash ?? null,
    details: c.details ?? null,
    at: c.at,
  });
  return true;
}

/**
 * Ends the subscription (if any is pending or active) and puts the address on
 * the publication's suppression list, whatever the subscription's state: a
 * bounce or a complaint about an address must stick even when nothing changes.
 * True when the subscription was ended now.
 */
export async function endAndSuppress(
  tx: Store,
  subscriber: { id: number; email_hash: string } | undefined,
  emailHash: string,
  publicationId: number,
  reason: SuppressionReason,
  action: string,
  c: ChangeContext,
): Promise<boolean> {
  const suppressedNow = await addSuppression(tx, publicationId, emailHash, reason, c.at);
  const ended = subscriber ? await endSubscription(tx, subscriber.id, publicationId, c.at) : false;
  if (ended || suppressedNow) {
    await appendConsent(tx, {
      subscriberId: subscriber?.id ?? null,
      publicationId,
      action,
      method: c.method,
      wordingVersion: c.wordingVersion ?? null,
      ipHash: c.ipHash ?? null,
      details: { reason, ...(c.details ?? {}) },
      at: c.at,
    });
  }
  return ended;
}

/** Whether the subscriber has a subscription to the publication in the given state. */
export async function hasStatus(tx: Store, subscriberId: number, publicationId: number, status: string): Promise<boolean> {
  return (await findSubscription(tx, subscriberId, publicationId))?.status === status;
}
