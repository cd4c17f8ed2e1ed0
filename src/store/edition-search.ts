// The archive's search index (migration 0007): the words of editions, kept
// per edition with the version they were taken from, and searched with each
// backend's full-text search — FTS5 on SQLite, tsvector on PostgreSQL in the
// publication's language. The caller says which editions may be found (the
// published ones): the index itself holds no rule of who may read what.
import { sql } from 'kysely';
import type { Store } from './db.ts';
import { inTransaction } from './transaction.ts';

/** Marks around the matched words of a snippet (control characters no edition holds). */
export const MATCH_START = '\u0002';
export const MATCH_END = '\u0003';

/** PostgreSQL's text search configuration per publication language; `simple` for any other. */
const POSTGRES_CONFIG: Record<string, string> = { fr: 'french', en: 'english' };

export interface SearchDocument {
  editionId: number;
  publicationId: number;
  version: number;
  language: string;
  subject: string;
  body: string;
}

export interface SearchHit {
  editionId: number;
  /** A stretch of the text around the matches, each match between MATCH_START and MATCH_END. */
  snippet: string;
}

/** The version of each indexed edition of a publication (to find what to index again). */
export async function indexedVersions(store: Store, publicationId: number): Promise<Map<number, number>> {
  const rows = await store.db.selectFrom('edition_search').select(['edition_id', 'version']).where('publication_id', '=', publicationId).execute();
  return new Map(rows.map((r) => [Number(r.edition_id), Number(r.version)]));
}

/** Indexes an edition's words, replacing what was indexed of it before. */
export async function indexEdition(store: Store, doc: SearchDocument): Promise<void> {
  await inTransaction(store, async (tx) => {
    await tx.db.deleteFrom('edition_search').where('edition_id', '=', doc.editionId).execute();
    if (tx.capabilities.dialect === 'sqlite') {
      await sql`insert into edition_search (rowid, subject, body, edition_id, publication_id, version)
        values (${doc.editionId}, ${doc.subject}, ${doc.body}, ${doc.editionId}, ${doc.publicationId}, ${doc.version})`.execute(tx.db);
      return;
    }
    const config = POSTGRES_CONFIG[doc.language] ?? 'simple';
    // The subject weighs more than the text (rank A against D).
    await sql`insert into edition_search (edition_id, publication_id, version, subject, body, config, document)
      values (${doc.editionId}, ${doc.publicationId}, ${doc.version}, ${doc.subject}, ${doc.body}, ${config},
        setweight(to_tsvector(${config}::regconfig, ${doc.subject}), 'A') || to_tsvector(${config}::regconfig, ${doc.body}))`.execute(tx.db);
  });
}

/** The words of a query as the index reads them: letters and digits only, so that nothing in it is query syntax. */
export function queryWords(query: string): string[] {
  return (query.normalize('NFC').match(/[\p{L}\p{N}]+/gu) ?? []).slice(0, 12);
}

/**
 * The editions among `editionIds` whose words hold every word of the query
 * (each as a word prefix), best first: most relevant, then newest id.
 */
export async function searchEditions(
  store: Store,
  options: { publicationId: number; language: string; query: string; editionIds: readonly number[]; limit?: number },
): Promise<SearchHit[]> {
  const words = queryWords(options.query);
  if (words.length === 0 || options.editionIds.length === 0) return [];
  const limit = options.limit ?? 50;
  if (store.capabilities.dialect === 'sqlite') {
    const match = words.map((w) => `"${w}"*`).join(' AND ');
    const { rows } = await sql<{ edition_id: number; snippet: string }>`
      select edition_id, snippet(edition_search, 1, ${MATCH_START}, ${MATCH_END}, '…', 24) as snippet
      from edition_search
      where edition_search match ${match} and publication_id = ${options.publicationId}
        and edition_id in (${sql.join(options.editionIds)})
      order by bm25(edition_search, 4.0, 1.0), edition_id desc
      limit ${limit}`.execute(store.db);
    return rows.map((r) => ({ editionId: Number(r.edition_id), snippet: r.snippet }));
  }
  const config = POSTGRES_CONFIG[options.language] ?? 'simple';
  const tsquery = words.map((w) => `${w}:*`).join(' & ');
  const headline = `StartSel=${MATCH_START}, StopSel=${MATCH_END}, MaxWords=30, MinWords=12, MaxFragments=1, FragmentDelimiter=" … "`;
  const { rows } = await sql<{ edition_id: string; snippet: string }>`
    select edition_id, ts_headline(config::regconfig, body, to_tsquery(config::regconfig, ${tsquery}), ${headline}) as snippet
    from edition_search
    where publication_id = ${options.publicationId}
      and edition_id in (${sql.join(options.editionIds)})
      and document @@ to_tsquery(${config}::regconfig, ${tsquery})
    order by ts_rank(document, to_tsquery(${config}::regconfig, ${tsquery})) desc, edition_id desc
    limit ${limit}`.execute(store.db);
  return rows.map((r) => ({ editionId: Number(r.edition_id), snippet: r.snippet }));
}
