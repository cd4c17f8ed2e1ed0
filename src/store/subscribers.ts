// Queries of the subscribers table. A subscriber is found by the keyed hash of
// its address (email_hash), never by the address itself, so that lookups work
// the same before and after an erasure.
import { sql } from 'kysely';
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

/**
 * Deletes subscribers that hold no subscription any more and were never erased
 * (purge of the unconfirmed); their consent log rows stay, with no subscriber.
 * Call it inside a transaction: the log rows are cleared by a second statement.
 */
export async function deleteSubscribersWithoutSubscriptions(store: Store, ids: readonly number[]): Promise<number> {
  if (ids.length === 0) return 0;
  const deleted = await store.db
    .deleteFrom('subscribers')
    .where('id', 'in', ids)
    .where('erased_at', 'is', null)
    .where(({ not, exists, selectFrom }) =>
      not(exists(selectFrom('subscriptions').select('subscriptions.id').whereRef('subscriptions.subscriber_id', '=', 'subscribers.id'))),
    )
    .returning('id')
    .execute();
  // The consent log has no foreign key (migration 0005, for the speed of
  // imports), nor the ledger and subscriptions on PostgreSQL (0009, 0012, for
  // the speed of a send's snapshot and of imports): what their ON DELETE SET
  // NULL and CASCADE did is done here. A subscription another transaction
  // created for one of these subscribers waited for this one (it locks its
  // subscriber) and is visible to this new statement, as it was to the cascade.
  if (deleted.length) {
    const gone = deleted.map((d) => d.id);
    await store.db.deleteFrom('subscriptions').where('subscriber_id', 'in', gone).execute();
    await store.db.updateTable('consent_log').set({ subscriber_id: null }).where('subscriber_id', 'in', gone).execute();
    await store.db.updateTable('recipients').set({ subscriber_id: null }).where('subscriber_id', 'in', gone).execute();
  }
  return deleted.length;
}

/** One valid, normalised row of an import. */
export interface ImportRow {
  email: string;
  /** The keyed hash of the address (base64url: COPY writes it as it is). */
  emailHash: string;
  name: string | null;
  /** When the person subscribed, from the file; else the import's time. */
  createdAt: number;
  consentSource: string | null;
}

// A file has one consent source, or a few: its JSON is made once, not once a row.
let lastSource: string | null | undefined;
let lastHead = '';

/** The consent log's details of an imported row (the same text on every backend). */
export function importDetails(r: ImportRow): string {
  return importDetailsOf(r.consentSource, r.createdAt);
}

/** The consent log's details of an imported row, from its consent source and subscription time. */
export function importDetailsOf(consentSource: string | null, createdAt: number): string {
  // Byte for byte JSON.stringify({ consentSource, subscribedAt }), without building the object.
  return `${importDetailsHead(consentSource)}${isoTime(createdAt)}"}`;
}

/** What the details of every imported row of one consent source start with: the ISO subscription time and `"}` follow. */
export function importDetailsHead(consentSource: string | null): string {
  if (consentSource !== lastSource) {
    lastSource = consentSource;
    lastHead = `{"consentSource":${JSON.stringify(consentSource)},"subscribedAt":"`;
  }
  return lastHead;
}

// Lists give many rows the same time (a date without hours, an export's
// batch): a time's ISO text is written once (the details were about 3% of the
// import's CPU), the cache emptied when it holds 4,096 times.
const isoTimes = new Map<number, string>();
/** A time in milliseconds as ISO 8601 text (Date#toISOString), for the details of imported rows. */
export function isoTime(ms: number): string {
  let text = isoTimes.get(ms);
  if (text === undefined) {
    if (isoTimes.size >= 4096) isoTimes.clear();
    text = new Date(ms).toISOString();
    isoTimes.set(ms, text);
  }
  return text;
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

/** Column types of a JSON row source, as SQL names them. */
type JsonColumns = Record<string, 'text' | 'bigint'>;

/**
 * The rows of a JSON array (one bound parameter) as a table `x` with the
 * given columns: `json_to_recordset` on PostgreSQL, `json_each` on SQLite.
 * One parameter instead of one per value: no giant statement to build, bind,
 * parse and plan for every batch, which is what made multi-row VALUES slow.
 */
function jsonRows(store: Store, rows: readonly object[], columns: JsonColumns) {
  const json = JSON.stringify(rows);
  const names = Object.keys(columns);
  if (store.capabilities.dialect === 'postgres') {
    const defs = sql.raw(names.map((n) => `${n} ${columns[n]}`).join(', '));
    return sql`json_to_recordset(${json}::json) as x(${defs})`;
  }
  const picks = sql.raw(names.map((n) => `value->>'${n}' as ${n}`).join(', '));
  return sql`(select ${picks} from json_each(${json})) as x`;
}

/**
 * Imports one batch of rows (distinct hashes) into a publication, in the
 * caller's transaction: suppressed hashes are left out, new subscribers and
 * subscriptions created, existing ones left untouched, and one consent log
 * row appended per subscription created. Set-based: six statements per batch
 * whatever its size, each with one JSON parameter.
 */
export async function importBatch(store: Store, rows: readonly ImportRow[], o: ImportBatchOptions): Promise<ImportBatchOutcome> {
  if (rows.length === 0) return { outcomes: [] };
  const input = rows.map((r) => ({ e: r.email, h: r.emailHash, n: r.name, c: r.createdAt }));
  const suppressed = new Set(
    (
      await sql<{ h: string }>`select x.h from ${jsonRows(store, input, { h: 'text' })}
        join suppressions s on s.publication_id = ${o.publicationId} and s.email_hash = x.h`.execute(store.db)
    ).rows.map((r) => r.h),
  );
  const candidates = suppressed.size ? input.filter((r) => !suppressed.has(r.h)) : input;
  const byHash = new Map(rows.map((r) => [r.emailHash, r]));

  // "where true": SQLite needs it to tell the upsert's ON from a join's.
  await sql`insert into subscribers (email, email_hash, name, created_at, updated_at)
    select x.e, x.h, x.n, x.c, ${o.runAt} from ${jsonRows(store, candidates, { e: 'text', h: 'text', n: 'text', c: 'bigint' })}
    where true on conflict do nothing`.execute(store.db);
  const idOf = new Map(
    (
      await sql<{ id: number; email_hash: string }>`select s.id, s.email_hash from ${jsonRows(store, candidates, { h: 'text' })}
        join subscribers s on s.email_hash = x.h`.execute(store.db)
    ).rows.map((r) => [r.email_hash, Number(r.id)]),
  );

  const ids = [...idOf.values()].map((id) => ({ id }));
  const confirmedAt = o.status === 'active' ? o.runAt : null;
  const created = new Set(
    (
      await sql<{ subscriber_id: number }>`insert into subscriptions
        (subscriber_id, publication_id, status, source, created_at, confirmed_at, unsubscribed_at, updated_at)
        select x.id, ${o.publicationId}, ${o.status}, ${o.method}, ${o.runAt}, ${confirmedAt}, null, ${o.runAt}
        from ${jsonRows(store, ids, { id: 'bigint' })}
        where true on conflict (subscriber_id, publication_id) do nothing returning subscriber_id`.execute(store.db)
    ).rows.map((r) => Number(r.subscriber_id)),
  );

  const action = o.status === 'active' ? 'import-confirmed' : 'import';
  const logged: Array<{ id: number; d: string }> = [];
  for (const [hash, id] of idOf) {
    if (!created.has(id)) continue;
    const r = byHash.get(hash)!;
    logged.push({ id, d: importDetails(r) });
  }
  if (logged.length) {
    await sql`insert into consent_log (subscriber_id, publication_id, action, method, wording_version, ip_hash, details, at)
      select x.id, ${o.publicationId}, ${action}, ${o.method}, null, null, x.d, ${o.runAt}
      from ${jsonRows(store, logged, { id: 'bigint', d: 'text' })}`.execute(store.db);
  }

  // Rows whose subscription existed: created earlier by this same run means the
  // address appeared earlier in the file; otherwise it was already there.
  const existing = ids.filter((x) => !created.has(x.id));
  const sameRun = new Set<number>();
  if (existing.length) {
    const found = await sql<{ subscriber_id: number }>`select s.subscriber_id from ${jsonRows(store, existing, { id: 'bigint' })}
      join subscriptions s on s.subscriber_id = x.id
      where s.publication_id = ${o.publicationId} and s.created_at = ${o.runAt} and s.source = ${o.method}`.execute(store.db);
    for (const f of found.rows) sameRun.add(Number(f.subscriber_id));
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
