// Leaving: the unsubscribe link of every mail. POST (the mailbox provider's
// RFC 8058 one-click, or the page's button) unsubscribes and suppresses; GET
// only shows the page. Unsubscribing twice is harmless.
import { inTransaction } from '../store/transaction.ts';
import { findSubscription } from '../store/subscriptions.ts';
import type { AudienceDeps } from './deps.ts';
import { resolveToken } from './resolve-token.ts';
import type { PublicationRef } from './publication-ref.ts';
import { endAndSuppress } from './transitions.ts';
import { preferencesUrl } from './links.ts';

export type UnsubscribeResult =
  | { status: 'unsubscribed' | 'already-unsubscribed'; publication: PublicationRef; subscriberId: number }
  | { status: 'invalid'; reason: 'invalid' | 'expired' };

export type UnsubscribeInspection =
  | { status: 'subscribed' | 'already-unsubscribed'; publication: PublicationRef; preferencesUrl?: string }
  | { status: 'invalid' };

/** What an unsubscribe link names, without changing anything (GET). */
export async function inspectUnsubscribe(deps: AudienceDeps, token: string): Promise<UnsubscribeInspection> {
  const r = await resolveToken(deps, token, 'unsubscribe');
  if (!r.ok) return { status: 'invalid' };
  if (r.subscriber.erased_at !== null) return { status: 'already-unsubscribed', publication: r.publication };
  const sub = await findSubscription(deps.store, r.subscriber.id, r.publication.id);
  const active = sub && sub.status !== 'unsubscribed';
  const prefs = preferencesUrl(deps.keys, deps.publicUrl, r.subscriber.id, r.publication.id, deps.clock.now());
  return { status: active ? 'subscribed' : 'already-unsubscribed', publication: r.publication, preferencesUrl: prefs };
}

/**
 * Unsubscribes the subscriber a token names from its publication: the
 * page's button or the one-click POST (a link), or a mail to the mailto of
 * List-Unsubscribe (inbound mail). Never on a GET.
 */
export async function unsubscribeByToken(
  deps: AudienceDeps,
  token: string,
  options: { method: 'one-click' | 'link' | 'mail'; ip?: string },
): Promise<UnsubscribeResult> {
  const r = await resolveToken(deps, token, 'unsubscribe');
  if (!r.ok) return { status: 'invalid', reason: r.reason };
  const { subscriber, publication } = r;
  const subscriberId = subscriber.id;
  // An erased person is already suppressed everywhere and has no subscription left.
  if (subscriber.erased_at !== null) return { status: 'already-unsubscribed', publication, subscriberId };
  const ended = await inTransaction(deps.store, (tx) =>
    endAndSuppress(tx, subscriber, subscriber.email_hash, publication.id, 'unsubscribe', 'unsubscribe', {
      method: options.method,
      at: deps.clock.now(),
      ipHash: options.ip ? deps.keys.ipHash(options.ip) : null,
    }),
  );
  return { status: ended ? 'unsubscribed' : 'already-unsubscribed', publication, subscriberId };
}
