// Queries of the suppression list: per publication, keyed hashes of addresses
// that must never be mailed again (bounce, complaint, unsubscribe, erasure).
import type { Store } from './db.ts';
import type { SuppressionReason } from './schema.ts';

/** True when the address hash is on the publication's suppression list. */
export async function isHashSuppressed(store: Store, publicationId: number, emailHash: string): Promise<boolean> {
  return (await suppressedAmong(store, publicationId, [emailHash])).size > 0;
}

/** Puts a hash on the list; an entry already there keeps its first reason. Returns true when added now. */
export async function addSuppression(
  store: Store,
  publicationId: number,
  emailHash: string,
  reason: SuppressionReason,
  at: number,
): Promise<boolean> {
  const rows = await store.db
    .insertInto('suppressions')
    .values({ publication_id: publicationId, email_hash: emailHash, reason, created_at: at })
    .onConflict((oc) => oc.columns(['publication_id', 'email_hash']).doNothing())
    .returning('id')
    .execute();
  return rows.length > 0;
}

/** Lifts a suppression: only when the person confirms a subscription again themselves. */
export async function removeSuppression(store: Store, publicationId: number, emailHash: string): Promise<boolean> {
  const result = await store.db
    .deleteFrom('suppressions')
    .where('publication_id', '=', publicationId)
    .where('email_hash', '=', emailHash)
    .executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

/** The hashes among `hashes` that are suppressed for the publication (one query for a whole import batch). */
export async function suppressedAmong(store: Store, publicationId: number, hashes: readonly string[]): Promise<Set<string>> {
  if (hashes.length === 0) return new Set();
  const rows = await store.db
    .selectFrom('suppressions')
    .select('email_hash')
    .where('publication_id', '=', publicationId)
    .where('email_hash', 'in', hashes)
    .execute();
  return new Set(rows.map((r) => r.email_hash));
}

/** Every suppression of one hash, across publications (data export). */
export async function suppressionsOfHash(store: Store, emailHash: string) {
  return store.db
    .selectFrom('suppressions')
    .innerJoin('publications', 'publications.id', 'suppressions.publication_id')
    .select(['publications.slug', 'suppressions.reason', 'suppressions.created_at'])
    .where('email_hash', '=', emailHash)
    .orderBy('suppressions.id')
    .execute();
}
