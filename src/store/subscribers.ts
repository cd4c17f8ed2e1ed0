// Queries of the subscribers table. A subscriber is found by the keyed hash of
// its address (email_hash), never by the address itself, so that lookups work
// the same before and after an erasure.
import type { Store } from './db.ts';
import type { SubscriberRow } from './schema.ts';

/** The subscriber with this address hash, if any. */
export async function findSubscriberByHash(store: Store, emailHash: string): Promise<SubscriberRow | undefined> {
  return store.db.selectFrom('subscribers').selectAll().where('email_hash', '=', emailHash).executeTakeFirst();
}

/** The subscriber with this id, if any. */
export async function findSubscriberById(store: Store, id: number): Promise<SubscriberRow | undefined> {
  return store.db.selectFrom('subscribers').selectAll().where('id', '=', id).executeTakeFirst();
}

export interface NewSubscriber {
  email: string;
  emailHash: string;
  name: string | null;
  at: number;
}

/** Finds the subscriber by hash or creates it; safe when two requests race (unique hash). */
export async function ensureSubscriber(store: Store, s: NewSubscriber): Promise<SubscriberRow> {
  await store.db
    .insertInto('subscribers')
    .values({ email: s.email, email_hash: s.emailHash, name: s.name, created_at: s.at, updated_at: s.at })
    .onConflict((oc) => oc.column('email_hash').doNothing())
    .execute();
  const row = await findSubscriberByHash(store, s.emailHash);
  if (!row) throw new Error('subscriber vanished right after its insertion');
  return row;
}

/** Changes the name a subscriber gave (null removes it). */
export async function setSubscriberName(store: Store, id: number, name: string | null, at: number): Promise<void> {
  await store.db.updateTable('subscribers').set({ name, updated_at: at }).where('id', '=', id).execute();
}

/**
 * Removes the personal data of a subscriber and keeps the row (ids in the
 * consent log and the ledger still point to it). The address hash is replaced
 * by a tombstone so that the same address subscribing later is a new person;
 * the real hash survives only in the suppression list.
 */
export async function eraseSubscriberRow(store: Store, id: number, at: number): Promise<void> {
  await store.db
    .updateTable('subscribers')
    .set({ email: null, name: null, email_hash: `erased:${id}`, erased_at: at, updated_at: at })
    .where('id', '=', id)
    .execute();
}

/** Deletes subscribers that hold no subscription any more and were never erased (purge of the unconfirmed). */
export async function deleteSubscribersWithoutSubscriptions(store: Store, ids: readonly number[]): Promise<number> {
  if (ids.length === 0) return 0;
  const result = await store.db
    .deleteFrom('subscribers')
    .where('id', 'in', ids)
    .where('erased_at', 'is', null)
    .where(({ not, exists, selectFrom }) =>
      not(exists(selectFrom('subscriptions').select('subscriptions.id').whereRef('subscriptions.subscriber_id', '=', 'subscribers.id'))),
    )
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** One valid, normalised row of an import. */
export interface ImportRow {
  email: string;
  emailHash: string;
  name: string | null;
  /** When the person subscribed, from the file; else the import's time. */
  createdAt: number;
  consentSource: string | null;
}

export interface ImportBatchOptions {
  publicationId: number;
  status: 'pending' | 'active';
  /** The import run's time: created_at of every subscription it creates (tells in-file duplicates from re-imports). */
  runAt: number;
  method: string;
}

export interface ImportBatchOutcome {
  /** Per row of the batch, in order. */
  outcomes: Array<'imported' | 'unchanged' | 'suppressed' | 'duplicate'>;
}

// Both backends bind at most 32,766 parameters in one statement (SQLite's
// limit, PostgreSQL allows 65,535); chunks stay under it.
const MAX_PARAMS = 30_000;

function chunks<T>(items: readonly T[], columns: number): T[][] {
  const size = Math.max(1, Math.floor(MAX_PARAMS / columns));
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * Imports one batch of rows (distinct hashes) into a publication, in the
 * caller's transaction: suppressed hashes are left out, new subscribers and
 * subscriptions created, existing ones left untouched, and one consent log
 * row appended per subscription created. Set-based: a handful of statements
 * per batch whatever its size.
 */
export async function importBatch(store: Store, rows: readonly ImportRow[], o: ImportBatchOptions): Promise<ImportBatchOutcome> {
  const hashes = rows.map((r) => r.emailHash);
  const suppressed = new Set<string>();
  for (const part of chunks(hashes, 1)) {
    const found = await store.db
      .selectFrom('suppressions')
      .select('email_hash')
      .where('publication_id', '=', o.publicationId)
      .where('email_hash', 'in', part)
      .execute();
    for (const f of found) suppressed.add(f.email_hash);
  }
  const candidates = rows.filter((r) => !suppressed.has(r.emailHash));

  for (const part of chunks(candidates, 5)) {
    await store.db
      .insertInto('subscribers')
      .values(part.map((r) => ({ email: r.email, email_hash: r.emailHash, name: r.name, created_at: r.createdAt, updated_at: o.runAt })))
      .onConflict((oc) => oc.doNothing())
      .execute();
  }
  const idOf = new Map<string, number>();
  for (const part of chunks(candidates, 1)) {
    if (part.length === 0) continue;
    const found = await store.db
      .selectFrom('subscribers')
      .select(['id', 'email_hash'])
      .where('email_hash', 'in', part.map((r) => r.emailHash))
      .execute();
    for (const f of found) idOf.set(f.email_hash, f.id);
  }

  const created = new Set<number>();
  const withIds = candidates.filter((r) => idOf.has(r.emailHash));
  for (const part of chunks(withIds, 8)) {
    const inserted = await store.db
      .insertInto('subscriptions')
      .values(
        part.map((r) => ({
          subscriber_id: idOf.get(r.emailHash)!,
          publication_id: o.publicationId,
          status: o.status,
          source: o.method,
          created_at: o.runAt,
          confirmed_at: o.status === 'active' ? o.runAt : null,
          unsubscribed_at: null,
          updated_at: o.runAt,
        })),
      )
      .onConflict((oc) => oc.columns(['subscriber_id', 'publication_id']).doNothing())
      .returning('subscriber_id')
      .execute();
    for (const i of inserted) created.add(i.subscriber_id);
  }

  const logged = withIds.filter((r) => created.has(idOf.get(r.emailHash)!));
  for (const part of chunks(logged, 8)) {
    await store.db
      .insertInto('consent_log')
      .values(
        part.map((r) => ({
          subscriber_id: idOf.get(r.emailHash)!,
          publication_id: o.publicationId,
          action: o.status === 'active' ? 'import-confirmed' : 'import',
          method: o.method,
          wording_version: null,
          ip_hash: null,
          details: JSON.stringify({ consentSource: r.consentSource, subscribedAt: new Date(r.createdAt).toISOString() }),
          at: o.runAt,
        })),
      )
      .execute();
  }

  // Rows whose subscription existed: created earlier by this same run means the
  // address appeared earlier in the file; otherwise it was already there.
  const existing = withIds.filter((r) => !created.has(idOf.get(r.emailHash)!)).map((r) => idOf.get(r.emailHash)!);
  const sameRun = new Set<number>();
  for (const part of chunks(existing, 1)) {
    const found = await store.db
      .selectFrom('subscriptions')
      .select('subscriber_id')
      .where('publication_id', '=', o.publicationId)
      .where('subscriber_id', 'in', part)
      .where('created_at', '=', o.runAt)
      .where('source', '=', o.method)
      .execute();
    for (const f of found) sameRun.add(f.subscriber_id);
  }

  return {
    outcomes: rows.map((r) => {
      if (suppressed.has(r.emailHash)) return 'suppressed';
      const id = idOf.get(r.emailHash);
      if (id === undefined) return 'unchanged';
      if (created.has(id)) return 'imported';
      return sameRun.has(id) ? 'duplicate' : 'unchanged';
    }),
  };
}
