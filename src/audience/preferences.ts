// The preferences page, reached by a link from every mail: which publications
// the subscriber receives, and their name. Reading on GET, changes only on
// POST. The link may only keep or reduce what the reader receives: a
// publication ticked that they do not receive yet goes through its own double
// opt-in (a confirmation mail to the address, as the subscribe form sends),
// so that a link forwarded, leaked or left in an old mail cannot sign anyone
// up, and a suppression (unsubscribe, hard bounce, complaint) is lifted only
// when the mailbox owner follows that fresh confirmation link. Leaving is
// immediate, like the unsubscribe link. The link expires
// (AudiencePolicy.preferencesMaxAgeMs); an expired one still names its owner,
// who may ask for a fresh link by mail (preferences-link.ts).
import type { SubscriberRow, SubscriptionStatus } from '../store/schema.ts';
import { inTransaction } from '../store/transaction.ts';
import { setSubscriberName } from '../store/subscribers.ts';
import { subscriptionsOfSubscriber } from '../store/subscriptions.ts';
import type { AudienceDeps } from './deps.ts';
import type { Mail } from './mailer.ts';
import { resolveToken } from './resolve-token.ts';
import { allPublications, type PublicationRef } from './publication-ref.ts';
import { endAndSuppress } from './transitions.ts';
import { requestConfirmation } from './subscribe.ts';

export interface PreferencesView {
  status: 'ok';
  /** The publication of the mail the link came from (language of the page). */
  publication: PublicationRef;
  email: string;
  name: string | null;
  /** `receives`: active; `pending`: asked for, awaiting its confirmation link. */
  publications: Array<{ id: number; slug: string; name: string; status: SubscriptionStatus | null; receives: boolean; pending: boolean }>;
  /** Names of the publications this save asked to join: each awaits its confirmation mail. */
  requested: string[];
}

/** `expired`: an authentic link past its lifetime, whose owner may ask for a fresh one. */
export type PreferencesResult = PreferencesView | { status: 'invalid' } | { status: 'expired'; publication: PublicationRef };

type Owner = { ok: true; subscriber: SubscriberRow & { email: string }; publication: PublicationRef } | { ok: false; result: PreferencesResult };

/** The subscriber a preferences link names, or what to say instead (invalid, expired). */
export async function ownerOf(deps: AudienceDeps, token: string, options: { anyAge?: boolean } = {}): Promise<Owner> {
  const r = await resolveToken(deps, token, 'preferences', options);
  if (!r.ok) {
    if (r.reason !== 'expired' || options.anyAge) return { ok: false, result: { status: 'invalid' } };
    // Past its lifetime: authentic still? Then its owner is offered a fresh link.
    const old = await ownerOf(deps, token, { anyAge: true });
    return { ok: false, result: old.ok ? { status: 'expired', publication: old.publication } : { status: 'invalid' } };
  }
  const { subscriber, publication } = r;
  if (subscriber.erased_at !== null || !subscriber.email) return { ok: false, result: { status: 'invalid' } };
  return { ok: true, subscriber: { ...subscriber, email: subscriber.email }, publication };
}

/** The subscriber's preferences as a link shows them (GET: reads only). */
export async function loadPreferences(deps: AudienceDeps, token: string): Promise<PreferencesResult> {
  const owner = await ownerOf(deps, token);
  if (!owner.ok) return owner.result;
  const { subscriber, publication } = owner;
  const [subs, pubs] = await Promise.all([subscriptionsOfSubscriber(deps.store, subscriber.id), allPublications(deps.store)]);
  const statusOf = new Map(subs.map((s) => [s.publication_id, s.status]));
  return {
    status: 'ok',
    publication,
    email: subscriber.email,
    name: subscriber.name,
    publications: pubs.map((p) => {
      const status = statusOf.get(p.id) ?? null;
      return { id: p.id, slug: p.slug, name: p.name, status, receives: status === 'active', pending: status === 'pending' };
    }),
    requested: [],
  };
}

export interface PreferencesChange {
  name: string | null;
  /** Ids of the publications the subscriber wants to receive; the others are left. */
  publicationIds: readonly number[];
  ip?: string;
  /**
   * Whether a confirmation mail may go to this address for this publication
   * now (the subscribe form's throttle); when not, the request is recorded
   * nowhere and the page answers the same.
   */
  mayMail?: (publication: PublicationRef, emailHash: string) => boolean;
}

/**
 * Applies the preferences form (POST): leaves the publications not ticked,
 * asks to confirm the ones newly ticked (confirmation mails), renames.
 * Never makes a subscription active, never lifts a suppression.
 */
export async function savePreferences(deps: AudienceDeps, token: string, change: PreferencesChange): Promise<PreferencesResult> {
  const owner = await ownerOf(deps, token);
  if (!owner.ok) return owner.result;
  const { subscriber } = owner;
  const now = deps.clock.now();
  const wanted = new Set(change.publicationIds);
  const ipHash = change.ip ? deps.keys.ipHash(change.ip) : null;
  const { mails, requested } = await inTransaction(deps.store, async (tx) => {
    const mails: Mail[] = [];
    const requested: string[] = [];
    const statusOf = new Map((await subscriptionsOfSubscriber(tx, subscriber.id)).map((s) => [s.publication_id, s.status]));
    for (const p of await allPublications(tx)) {
      const status = statusOf.get(p.id);
      const receives = status === 'active' || status === 'pending';
      if (wanted.has(p.id) && !receives) {
        // Joining, or coming back: the publication's own double opt-in.
        requested.push(p.name);
        if (change.mayMail && !change.mayMail(p, subscriber.email_hash)) continue;
        const c = { method: 'link', at: now, ipHash, details: { via: 'preferences' } };
        mails.push(await requestConfirmation(tx, deps, subscriber, p, c));
      } else if (!wanted.has(p.id) && receives) {
        await endAndSuppress(tx, subscriber, subscriber.email_hash, p.id, 'unsubscribe', 'unsubscribe', {
          method: 'link',
          at: now,
          ipHash,
          details: { via: 'preferences' },
        });
      }
    }
    const name = change.name?.trim().slice(0, 200) || null;
    if (name !== subscriber.name) await setSubscriberName(tx, subscriber.id, name, now);
    return { mails, requested };
  });
  for (const mail of mails) await deps.mailer.send(mail);
  const view = await loadPreferences(deps, token);
  return view.status === 'ok' ? { ...view, requested } : view;
}
