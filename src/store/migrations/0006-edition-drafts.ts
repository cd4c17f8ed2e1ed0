// Two things the newsroom's editor needs to keep nobody's work from being lost
// or approved unseen:
//
// - `edition_transitions.version`: the version an edition stood at when it
//   moved. An approval names the version the editor reviewed; « ready » names
//   the one the author handed over, so that a version saved after it shows.
//   Null for moves recorded before this migration.
// - `edition_drafts`: one autosaved, unsaved source per person and edition
//   (the text in the editor before « Save »), with the version it started
//   from. Not a version: nobody else sees it, and a save or a discard removes it.
import type { Kysely } from 'kysely';
import type { ColumnTypes } from '../dialect.ts';

export function editionDrafts(t: ColumnTypes) {
  return {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    async up(db: Kysely<any>): Promise<void> {
      await db.schema.alterTable('edition_transitions').addColumn('version', 'integer').execute();
      await db.schema
        .createTable('edition_drafts')
        .addColumn('edition_id', t.ref, (c) => c.notNull().references('editions.id').onDelete('cascade'))
        .addColumn('author', 'text', (c) => c.notNull())
        .addColumn('base_version', 'integer', (c) => c.notNull())
        .addColumn('source', 'text', (c) => c.notNull())
        .addColumn('saved_at', t.time, (c) => c.notNull())
        .addPrimaryKeyConstraint('edition_drafts_pkey', ['edition_id', 'author'])
        .execute();
    },
  };
}
