// The suppression list as delivery and the bounce handler use it: is this
// address suppressed for this publication, and suppress it (hard bounce,
// complaint, unsubscribe, manual). A suppressed address is never mailed by a
// send, even if imported again, until the person confirms a subscription
// themselves (confirm.ts, preferences.ts lift it; nothing else does).
import type { Store } from '../store/db.ts';
import type { SuppressionReason } from '../store/schema.ts';
import { inTransaction } from '../store/transaction.ts';
import { findSubscriberByHash } from '../store/subscribers.ts';
import { isHashSuppressed } from '../store/suppressions.ts';
import type { Clock } from '../clock.ts';
import { parseAddress } from './address.ts';
import type { AudienceKeys } from './keys.ts';
import { endAndSuppress } from './transitions.ts';

export interface SuppressionDeps {
  store: Store;
  keys: AudienceKeys;
  clock: Clock;
}

/** The keyed hash under which an address is known (normalised first when it parses). */
export function hashOfAddress(keys: AudienceKeys, email: string): string {
  const parsed = parseAddress(email);
  return keys.addressHash(parsed.ok ? parsed.address : email.trim());
}

/** True when the publication must not mail this address. */
export async function isSuppressed(deps: Pick<SuppressionDeps, 'store' | 'keys'>, publicationId: number, email: string): Promise<boolean> {
  return isHashSuppressed(deps.store, publicationId, hashOfAddress(deps.keys, email));
}

const METHOD: Record<SuppressionReason, string> = {
  'hard-bounce': 'bounce',
  complaint: 'complaint',
  unsubscribe: 'admin',
  erasure: 'admin',
  manual: 'admin',
};

/**
 * Puts an address on the publication's suppression list and ends its
 * subscription there, with a consent log entry (bounces, complaints, the
 * newsroom's own decision). Works for an address that is not a subscriber.
 */
export async function suppress(
  deps: SuppressionDeps,
  publicationId: number,
  email: string,
  reason: SuppressionReason,
  details?: Record<string, unknown>,
): Promise<void> {
  const hash = hashOfAddress(deps.keys, email);
  await inTransaction(deps.store, async (tx) => {
    const subscriber = await findSubscriberByHash(tx, hash);
    await endAndSuppress(tx, subscriber, hash, publicationId, reason, reason === 'unsubscribe' ? 'unsubscribe' : 'suppress', {
      method: METHOD[reason],
      at: deps.clock.now(),
      details: details ?? null,
    });
  });
}
