// A person's rights over their data: everything held on them as JSON, and
// erasure. Erasure removes the address and the name, deletes subscriptions,
// strips the consent log of anything identifying, and keeps only the keyed
// hash of the address in every publication's suppression list, so that a
// later import of an old list never brings the person back.
import { deliveriesOf, forgetAddressInLedger } from '../store/ledger.ts';
import { inTransaction } from '../store/transaction.ts';
import { eraseSubscriberRow, findSubscriberByHash } from '../store/subscribers.ts';
import { deleteSubscriptionsOf, subscriptionsOfSubscriber } from '../store/subscriptions.ts';
import { addSuppression, suppressionsOfHash } from '../store/suppressions.ts';
import { anonymiseConsentOf, appendConsent, consentOfSubscriber } from '../store/consent-log.ts';
import type { AudienceDeps } from './deps.ts';
import { hashOfAddress } from './suppression.ts';
import { parseAddress } from './address.ts';
import { allPublications } from './publication-ref.ts';

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export interface SubscriberExport {
  email: string;
  name: string | null;
  createdAt: string;
  subscriptions: Array<{ publication: string; status: string; source: string; createdAt: string; confirmedAt: string | null; unsubscribedAt: string | null }>;
  consentLog: Array<{ publication: string | null; action: string; method: string; wordingVersion: string | null; ipHash: string | null; details: unknown; at: string }>;
  suppressions: Array<{ publication: string; reason: string; since: string }>;
  deliveries: Array<{ sendId: number; state: string; at: string }>;
}

/** Everything held on the subscriber with this address, or undefined when unknown. */
export async function exportSubscriber(deps: Pick<AudienceDeps, 'store' | 'keys'>, email: string): Promise<SubscriberExport | undefined> {
  const hash = hashOfAddress(deps.keys, email);
  const s = await findSubscriberByHash(deps.store, hash);
  if (!s || !s.email) return undefined;
  const [subs, log, suppressions, deliveries] = await Promise.all([
    subscriptionsOfSubscriber(deps.store, s.id),
    consentOfSubscriber(deps.store, s.id),
    suppressionsOfHash(deps.store, hash),
    deliveriesOf(deps.store, s.id),
  ]);
  return {
    email: s.email,
    name: s.name,
    createdAt: iso(s.created_at)!,
    subscriptions: subs.map((x) => ({
      publication: x.slug,
      status: x.status,
      source: x.source,
      createdAt: iso(x.created_at)!,
      confirmedAt: iso(x.confirmed_at),
      unsubscribedAt: iso(x.unsubscribed_at),
    })),
    consentLog: log.map((l) => ({
      publication: l.slug,
      action: l.action,
      method: l.method,
      wordingVersion: l.wording_version,
      ipHash: l.ip_hash,
      details: l.details ? (JSON.parse(l.details) as unknown) : null,
      at: iso(l.at)!,
    })),
    suppressions: suppressions.map((x) => ({ publication: x.slug, reason: x.reason, since: iso(x.created_at)! })),
    deliveries: deliveries.map((d) => ({ sendId: d.send_id, state: d.state, at: iso(d.updated_at)! })),
  };
}

/**
 * Copies of messages the platform keeps outside the database (the local
 * outbox: delivery/outbox-erasure.ts), which hold the address too. Declared
 * here, where erasure needs it; every caller of `eraseSubscriber` hands one.
 */
export interface KeptCopies {
  /** Deletes every kept message to this address; the number deleted. */
  forget(address: string): Promise<number>;
}

/**
 * Erases the subscriber with this address, in the database and in the kept
 * copies of their messages; false when no such subscriber is held (their
 * copies are cleared all the same: a first erasure whose files could not be
 * cleared is finished by the next).
 */
export async function eraseSubscriber(
  deps: Pick<AudienceDeps, 'store' | 'keys' | 'clock'>,
  email: string,
  copies: KeptCopies,
  method = 'admin',
): Promise<boolean> {
  const hash = hashOfAddress(deps.keys, email);
  const parsed = parseAddress(email);
  const address = parsed.ok ? parsed.address : email.trim();
  const erased = await eraseRows(deps, hash, method);
  // After the commit: files cannot join the transaction, and a copy written by
  // a send still running meanwhile is caught by this pass, not missed by an earlier one.
  await copies.forget(address);
  return erased;
}

async function eraseRows(deps: Pick<AudienceDeps, 'store' | 'clock'>, hash: string, method: string): Promise<boolean> {
  const now = deps.clock.now();
  return inTransaction(deps.store, async (tx) => {
    const s = await findSubscriberByHash(tx, hash);
    if (!s || s.erased_at !== null) return false;
    // Every publication, not only those subscribed: the person asked to be forgotten, not re-imported elsewhere.
    for (const p of await allPublications(tx)) await addSuppression(tx, p.id, hash, 'erasure', now);
    await deleteSubscriptionsOf(tx, s.id);
    await anonymiseConsentOf(tx, s.id);
    // The ledger keeps its finished rows (counts of past sends) without the address.
    await forgetAddressInLedger(tx, s.id);
    await eraseSubscriberRow(tx, s.id, now);
    await appendConsent(tx, { subscriberId: s.id, publicationId: null, action: 'erase', method, at: now });
    return true;
  });
}
