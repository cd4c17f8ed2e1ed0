// The public archive's search (store/edition-search.ts): the words of each
// published edition, indexed the way each backend searches text.
//
// - SQLite: an FTS5 table whose rowid is the edition's id. Its tokenizer is
//   language-neutral (unicode61, diacritics folded: « election » finds
//   « élection »); SQLite has no French stemmer, so searches match word
//   prefixes instead (« fibre » finds « fibres »).
// - PostgreSQL: a table with the text search vector of each edition, made
//   with the configuration of the publication's language (french, english:
//   stemmed, stop words dropped), and a GIN index on it.
import { PostgresAdapter, sql, type Kysely } from 'kysely';
import type { ColumnTypes } from '../dialect.ts';

export function archiveSearch(t: ColumnTypes) {
  return {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    async up(db: Kysely<any>): Promise<void> {
      if (!(db.getExecutor().adapter instanceof PostgresAdapter)) {
        await sql`create virtual table edition_search using fts5(
          subject, body, edition_id unindexed, publication_id unindexed, version unindexed,
          tokenize = 'unicode61 remove_diacritics 2')`.execute(db);
        return;
      }
      await db.schema
        .createTable('edition_search')
        .addColumn('edition_id', t.ref, (c) => c.primaryKey().references('editions.id').onDelete('cascade'))
        .addColumn('publication_id', t.ref, (c) => c.notNull().references('publications.id').onDelete('cascade'))
        .addColumn('version', 'integer', (c) => c.notNull())
        .addColumn('subject', 'text', (c) => c.notNull())
        .addColumn('body', 'text', (c) => c.notNull())
        .addColumn('config', 'text', (c) => c.notNull())
        .addColumn('document', sql`tsvector`, (c) => c.notNull())
        .execute();
      await sql`create index edition_search_document on edition_search using gin (document)`.execute(db);
      await db.schema.createIndex('edition_search_publication').on('edition_search').column('publication_id').execute();
    },
  };
}
