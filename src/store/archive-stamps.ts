// The few columns that say whether a page of the public archive changed: the
// publication's stored settings and, per edition, its id, status, date and
// current version. Read on every public request (one indexed query), they key
// the site's cache of rendered pages (web/page-cache.ts): a saved version, a
// move in the workflow or new settings give another key, so a kept page is
// never served once what it was built from changed, in this process or any other.
import type { CompiledQuery } from 'kysely';
import type { Statement } from 'better-sqlite3';
import type { Store } from './db.ts';
import type { EditionStatus } from './schema.ts';

/** A publication as its public pages depend on it: the settings JSON exactly as stored. */
export interface PublicationStamp {
  publicationId: number;
  slug: string;
  timezone: string;
  /** The whole settings object as stored (JSON text): compared whole, so no change of a setting can slip by. */
  settings: string;
}

/** An edition's part of a public page's key. */
export interface EditionStamp {
  editionId: number;
  date: string;
  status: EditionStatus;
  currentVersion: number;
  updatedAt: number;
}

type EditionPageRow = {
  publication_id: number;
  slug: string;
  timezone: string;
  settings: string;
  id: number;
  date: string;
  status: EditionStatus;
  current_version: number;
  updated_at: number | string;
};

function editionPageQuery(store: Store, slug: string, date: string) {
  return store.db
    .selectFrom('publications as p')
    .innerJoin('editions as e', 'e.publication_id', 'p.id')
    .select(['p.id as publication_id', 'p.slug', 'p.timezone', 'p.settings', 'e.id', 'e.date', 'e.status', 'e.current_version', 'e.updated_at'])
    .where('p.slug', '=', slug)
    .where('e.date', '=', date);
}

// Compiled once per store (and prepared once on SQLite): building and preparing
// the query cost several times what running it does, on every request.
const SLUG_MARK = '\u0000slug';
const DATE_MARK = '\u0000date';
const compiled = new WeakMap<Store, { query: CompiledQuery; slugAt: number; dateAt: number; prepared?: Statement }>();

function compiledFor(store: Store) {
  let one = compiled.get(store);
  if (!one) {
    const query = editionPageQuery(store, SLUG_MARK, DATE_MARK).compile();
    one = { query, slugAt: query.parameters.indexOf(SLUG_MARK), dateAt: query.parameters.indexOf(DATE_MARK), prepared: store.sqlite?.prepare(query.sql) };
    compiled.set(store, one);
  }
  return one;
}

/** The stamps of one edition page: its publication (by slug) and the edition of that date, if both exist. */
export async function editionPageStamp(store: Store, slug: string, date: string): Promise<(PublicationStamp & EditionStamp) | undefined> {
  const { query, slugAt, dateAt, prepared } = compiledFor(store);
  const parameters = [...query.parameters];
  parameters[slugAt] = slug;
  parameters[dateAt] = date;
  const row = prepared
    ? (prepared.get(...parameters) as EditionPageRow | undefined)
    : ((await store.db.executeQuery<EditionPageRow>({ ...query, parameters })).rows[0] as EditionPageRow | undefined);
  if (!row) return undefined;
  return {
    publicationId: row.publication_id,
    slug: row.slug,
    timezone: row.timezone,
    settings: row.settings,
    editionId: row.id,
    date: row.date,
    status: row.status,
    currentVersion: row.current_version,
    updatedAt: Number(row.updated_at),
  };
}

/** A publication's stamp and those of its editions in `statuses`, newest date first; undefined when no publication has the slug. */
export async function archiveStamp(
  store: Store,
  slug: string,
  statuses: readonly EditionStatus[],
): Promise<{ publication: PublicationStamp; editions: EditionStamp[] } | undefined> {
  const publication = await store.db.selectFrom('publications').select(['id', 'slug', 'timezone', 'settings']).where('slug', '=', slug).executeTakeFirst();
  if (!publication) return undefined;
  const rows = statuses.length
    ? await store.db
        .selectFrom('editions')
        .select(['id', 'date', 'status', 'current_version', 'updated_at'])
        .where('publication_id', '=', publication.id)
        .where('status', 'in', statuses)
        .orderBy('date', 'desc')
        .execute()
    : [];
  return {
    publication: { publicationId: publication.id, slug: publication.slug, timezone: publication.timezone, settings: publication.settings },
    editions: rows.map((r) => ({ editionId: r.id, date: r.date, status: r.status, currentVersion: r.current_version, updatedAt: Number(r.updated_at) })),
  };
}
