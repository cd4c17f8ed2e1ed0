// A token from a link, checked and turned into the subscriber and publication
// it names. Reading only: resolving a token never changes anything.
import type { SubscriberRow } from '../store/schema.ts';
import { findSubscriberById } from '../store/subscribers.ts';
import type { AudienceDeps, AudiencePolicy } from './deps.ts';
import { publicationById, type PublicationRef } from './publication-ref.ts';
import { verifyToken, type TokenClaims, type TokenPurpose } from './tokens.ts';

export type ResolvedToken =
  | { ok: true; claims: TokenClaims; subscriber: SubscriberRow; publication: PublicationRef }
  | { ok: false; reason: 'invalid' | 'expired' };

/** How long a link of each purpose works; unsubscribe links do not expire (a mail may be read years later). */
function maxAgeOf(purpose: TokenPurpose, policy: AudiencePolicy): number | undefined {
  if (purpose === 'confirm') return policy.confirmMaxAgeMs;
  if (purpose === 'preferences') return policy.preferencesMaxAgeMs;
  return undefined;
}

/**
 * Checks a link's token for `purpose` and loads what it names. `anyAge`
 * accepts an authentic token past its lifetime: only to offer its owner a
 * fresh link by mail, never to act on it.
 */
export async function resolveToken(deps: AudienceDeps, token: string, purpose: TokenPurpose, options: { anyAge?: boolean } = {}): Promise<ResolvedToken> {
  const maxAgeMs = options.anyAge ? undefined : maxAgeOf(purpose, deps.policy);
  const check = verifyToken(deps.keys, token, { purpose, now: deps.clock.now(), ...(maxAgeMs !== undefined ? { maxAgeMs } : {}) });
  if (!check.ok) return { ok: false, reason: check.reason === 'expired' ? 'expired' : 'invalid' };
  const [subscriber, publication] = await Promise.all([
    findSubscriberById(deps.store, check.claims.subscriberId),
    publicationById(deps.store, check.claims.publicationId),
  ]);
  // An authentic token whose subscriber was purged (never confirmed) has simply run out.
  if (!subscriber || !publication) return { ok: false, reason: 'expired' };
  return { ok: true, claims: check.claims, subscriber, publication };
}
