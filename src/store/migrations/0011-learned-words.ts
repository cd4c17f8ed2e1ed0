// The publication's learned word list (edition/learned-words.ts):
//
// - `learned_words`: the words a publication accepts besides the dictionary,
//   each once (by `word_key`, lower case), with how it was learned (from two
//   approved editions, or accepted by someone in the editor), by whom and when.
// - `word_sightings`: which approved edition held which unknown word, once per
//   edition, so that a word is learned from the second edition that holds it,
//   and never twice from the same edition approved again.
import { sql, type Kysely } from 'kysely';
import type { ColumnTypes } from '../dialect.ts';
import { LEARNED_WORD_SOURCES } from '../schema.ts';

export function learnedWords(t: ColumnTypes) {
  return {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    async up(db: Kysely<any>): Promise<void> {
      await db.schema
        .createTable('learned_words')
        .addColumn('id', t.id, (c) => t.idColumn(c))
        .addColumn('publication_id', t.ref, (c) => c.notNull().references('publications.id').onDelete('cascade'))
        .addColumn('word', 'text', (c) => c.notNull())
        .addColumn('word_key', 'text', (c) => c.notNull())
        .addColumn('source', 'text', (c) => c.notNull())
        .addColumn('added_by', 'text', (c) => c.notNull())
        .addColumn('added_at', t.time, (c) => c.notNull())
        .addUniqueConstraint('learned_words_publication_key', ['publication_id', 'word_key'])
        .addCheckConstraint('learned_words_source', sql`source in (${sql.join(LEARNED_WORD_SOURCES.map((s) => sql.lit(s)))})`)
        .execute();
      await db.schema
        .createTable('word_sightings')
        .addColumn('publication_id', t.ref, (c) => c.notNull().references('publications.id').onDelete('cascade'))
        .addColumn('word_key', 'text', (c) => c.notNull())
        .addColumn('word', 'text', (c) => c.notNull())
        .addColumn('edition_id', t.ref, (c) => c.notNull().references('editions.id').onDelete('cascade'))
        .addColumn('seen_at', t.time, (c) => c.notNull())
        .addPrimaryKeyConstraint('word_sightings_pkey', ['publication_id', 'word_key', 'edition_id'])
        .execute();
      await db.schema.createIndex('word_sightings_edition').on('word_sightings').column('edition_id').execute();
    },
  };
}
