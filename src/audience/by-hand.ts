// The newsroom's own changes to one subscription, made by a team member from
// the dashboard: adding a person who gave their consent elsewhere (a paper
// form, an event, a mail asking for it), which needs that consent's source,
// and unsubscribing someone who asked by other means. Both are logged in the
// consent log with the source and who did it. A suppressed address is not
// added: only the person themselves lifts a suppression (confirm.ts).
import { inTransaction } from '../store/transaction.ts';
import { ensureSubscriber, findSubscriberById } from '../store/subscribers.ts';
import { findSubscription } from '../store/subscriptions.ts';
import { isHashSuppressed } from '../store/suppressions.ts';
import type { AudienceDeps } from './deps.ts';
import { ADDRESS_PROBLEM_TEXT, parseAddress } from './address.ts';
import { activateByPerson, endAndSuppress } from './transitions.ts';

export interface AddByHand {
  publicationId: number;
  email: string;
  name?: string;
  /** Where and how the person gave their consent (« signed the paper form at the 12 May meetup »). */
  consentSource: string;
  /** Who added them (a team member's address), for the consent log. */
  by: string;
}

export type AddByHandResult =
  | { status: 'added'; subscriberId: number }
  | { status: 'already-active'; subscriberId: number }
  | { status: 'refused'; field: 'email' | 'consentSource'; reason: string };

/** Subscribes a person by hand, active at once, with the source of their consent. */
export async function addByHand(deps: Pick<AudienceDeps, 'store' | 'keys' | 'clock'>, input: AddByHand): Promise<AddByHandResult> {
  const parsed = parseAddress(input.email);
  if (!parsed.ok) return { status: 'refused', field: 'email', reason: ADDRESS_PROBLEM_TEXT[parsed.problem] };
  const consentSource = input.consentSource.trim();
  if (!consentSource) return { status: 'refused', field: 'consentSource', reason: 'say where and how the person gave their consent' };
  if (consentSource.length > 500) return { status: 'refused', field: 'consentSource', reason: 'at most 500 characters' };
  const hash = deps.keys.addressHash(parsed.address);
  const name = input.name?.trim().slice(0, 200) || null;
  const at = deps.clock.now();
  return inTransaction(deps.store, async (tx): Promise<AddByHandResult> => {
    if (await isHashSuppressed(tx, input.publicationId, hash)) {
      return {
        status: 'refused',
        field: 'email',
        reason: 'this address is on the suppression list (a bounce, a complaint, an unsubscription or an erasure): only the person can subscribe again, through the form',
      };
    }
    const subscriber = await ensureSubscriber(tx, { email: parsed.address, emailHash: hash, name, at });
    if ((await findSubscription(tx, subscriber.id, input.publicationId))?.status === 'active') return { status: 'already-active', subscriberId: subscriber.id };
    await activateByPerson(tx, subscriber, input.publicationId, 'subscribe', { method: 'admin', at, details: { consentSource, by: input.by } });
    return { status: 'added', subscriberId: subscriber.id };
  });
}

/**
 * Unsubscribes a subscriber from a publication on their behalf (they asked
 * by mail, by phone): the subscription ends and the address goes on the
 * publication's suppression list, as their own unsubscribe link does.
 * False when there was nothing to end.
 */
export async function unsubscribeByHand(
  deps: Pick<AudienceDeps, 'store' | 'clock'>,
  subscriberId: number,
  publicationId: number,
  by: string,
): Promise<boolean> {
  return inTransaction(deps.store, async (tx) => {
    const subscriber = await findSubscriberById(tx, subscriberId);
    if (!subscriber || subscriber.erased_at !== null) return false;
    return endAndSuppress(tx, subscriber, subscriber.email_hash, publicationId, 'unsubscribe', 'unsubscribe', {
      method: 'admin',
      at: deps.clock.now(),
      details: { by },
    });
  });
}
