// The consent log: append-only, one row per change of consent. Rows are never
// updated, except to strip what could identify a person when they are erased.
import type { Store } from './db.ts';

export interface ConsentEntry {
  subscriberId: number | null;
  publicationId: number | null;
  /** subscribe, confirm, unsubscribe, preferences, suppress, purge, erase, import… */
  action: string;
  /** form, import, link, one-click, complaint, bounce, admin, system… */
  method: string;
  wordingVersion?: string | null;
  /** Keyed hash of the IP address, never the address. */
  ipHash?: string | null;
  /** Extra facts as JSON (consent source of an import…); no address, no name. */
  details?: Record<string, unknown> | null;
  at: number;
}

/** Appends one change of consent. */
export async function appendConsent(store: Store, e: ConsentEntry): Promise<void> {
  await store.db.insertInto('consent_log').values(toRow(e)).execute();
}

/** Appends many changes at once (imports). */
export async function appendConsentMany(store: Store, entries: readonly ConsentEntry[]): Promise<void> {
  if (entries.length === 0) return;
  await store.db.insertInto('consent_log').values(entries.map(toRow)).execute();
}

function toRow(e: ConsentEntry) {
  return {
    subscriber_id: e.subscriberId,
    publication_id: e.publicationId,
    action: e.action,
    method: e.method,
    wording_version: e.wordingVersion ?? null,
    ip_hash: e.ipHash ?? null,
    details: e.details ? JSON.stringify(e.details) : null,
    at: e.at,
  };
}

/** A subscriber's consent history, oldest first, with publication slugs. */
export async function consentOfSubscriber(store: Store, subscriberId: number) {
  return store.db
    .selectFrom('consent_log')
    .leftJoin('publications', 'publications.id', 'consent_log.publication_id')
    .select([
      'consent_log.action',
      'consent_log.method',
      'consent_log.wording_version',
      'consent_log.ip_hash',
      'consent_log.details',
      'consent_log.at',
      'publications.slug',
    ])
    .where('consent_log.subscriber_id', '=', subscriberId)
    .orderBy('consent_log.id')
    .execute();
}

/** Strips the IP hash and the details of a subscriber's rows, keeping what happened and when. */
export async function anonymiseConsentOf(store: Store, subscriberId: number): Promise<void> {
  await store.db.updateTable('consent_log').set({ ip_hash: null, details: null }).where('subscriber_id', '=', subscriberId).execute();
}
