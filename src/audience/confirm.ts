// The confirmation link of double opt-in. GET shows a page (inspect only);
// POST confirms. Confirming twice is harmless: the second time says so.
import { inTransaction } from '../store/transaction.ts';
import { findSubscription } from '../store/subscriptions.ts';
import type { AudienceDeps } from './deps.ts';
import { resolveToken } from './resolve-token.ts';
import type { PublicationRef } from './publication-ref.ts';
import { activateByPerson } from './transitions.ts';
import { audienceStrings } from './strings.ts';
import { sendWelcome } from './welcome.ts';

export type ConfirmResult =
  | { status: 'confirmed' | 'already-confirmed'; publication: PublicationRef }
  | { status: 'invalid' | 'expired'; publication?: PublicationRef };

/** What a confirmation link would do, without doing it (for the page that GET shows). */
export async function inspectConfirmation(deps: AudienceDeps, token: string): Promise<ConfirmResult | { status: 'ready'; publication: PublicationRef }> {
  const r = await resolveToken(deps, token, 'confirm');
  if (!r.ok) return { status: r.reason };
  if (r.subscriber.erased_at !== null) return { status: 'invalid' };
  const sub = await findSubscription(deps.store, r.subscriber.id, r.publication.id);
  if (!sub) return { status: 'expired', publication: r.publication };
  if (sub.status === 'active') return { status: 'already-confirmed', publication: r.publication };
  return { status: 'ready', publication: r.publication };
}

/** Confirms the subscription a link names; sends the welcome mail when it became active now. */
export async function confirmSubscription(deps: AudienceDeps, token: string, options: { ip?: string } = {}): Promise<ConfirmResult> {
  const r = await resolveToken(deps, token, 'confirm');
  if (!r.ok) return { status: r.reason };
  const { subscriber, publication, claims } = r;
  if (subscriber.erased_at !== null) return { status: 'invalid' };
  const now = deps.clock.now();
  const outcome = await inTransaction(deps.store, async (tx) => {
    const sub = await findSubscription(tx, subscriber.id, publication.id);
    // Purged meanwhile: the person must ask again.
    if (!sub) return 'expired' as const;
    if (sub.status === 'active') return 'already-confirmed' as const;
    // A link issued before the person unsubscribed must not bring them back.
    if (sub.status === 'unsubscribed' && sub.unsubscribed_at !== null && sub.unsubscribed_at >= claims.issuedAt + 1000) {
      return 'expired' as const;
    }
    const changed = await activateByPerson(tx, subscriber, publication.id, 'confirm', {
      method: 'link',
      at: now,
      ipHash: options.ip ? deps.keys.ipHash(options.ip) : null,
      wordingVersion: audienceStrings(publication.language).wordingVersion,
    });
    return changed ? ('confirmed' as const) : ('already-confirmed' as const);
  });
  if (outcome === 'confirmed') await sendWelcome(deps, subscriber, publication);
  return { status: outcome, publication };
}
