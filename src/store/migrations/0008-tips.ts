// The tip line's tables. The first schema had a `tips` table that no code ever
// wrote (one ciphertext, a status and a precise time): it is replaced. A tip
// holds only what the newsroom needs and nothing that could identify its
// source: the publication, the day (never the time), OpenPGP ciphertexts and
// their sizes, and the thread's lookup hash and reply key, both useless
// without the receipt code that only the source holds (src/tips/README.md).
import { sql, type Kysely } from 'kysely';
import type { ColumnTypes } from '../dialect.ts';
import { TIP_PART_KINDS } from '../schema.ts';

export function tips(t: ColumnTypes) {
  return {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    async up(db: Kysely<any>): Promise<void> {
      await db.schema.dropTable('tips').execute();
      await db.schema
        .createTable('tips')
        .addColumn('id', t.id, (c) => t.idColumn(c))
        .addColumn('publication_id', t.ref, (c) => c.notNull().references('publications.id').onDelete('cascade'))
        // `YYYY-MM-DD`, UTC: the day only.
        .addColumn('day', 'text', (c) => c.notNull())
        // Keyed hash (HMAC) of the receipt code: finds the thread, reveals nothing.
        .addColumn('thread_hash', 'text', (c) => c.notNull().unique())
        // The source's reply key: public half, and private half sealed with the code's KDF.
        .addColumn('reply_salt', 'text', (c) => c.notNull())
        .addColumn('reply_public_key', 'text', (c) => c.notNull())
        .addColumn('reply_private_key', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('tips_publication_day').on('tips').columns(['publication_id', 'day']).execute();
      await db.schema
        .createTable('tip_parts')
        .addColumn('id', t.id, (c) => t.idColumn(c))
        .addColumn('tip_id', t.ref, (c) => c.notNull().references('tips.id').onDelete('cascade'))
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('day', 'text', (c) => c.notNull())
        // ASCII-armoured OpenPGP message: a file name, if any, is inside it.
        .addColumn('ciphertext', 'text', (c) => c.notNull())
        .addColumn('size', 'integer', (c) => c.notNull())
        .addCheckConstraint('tip_parts_kind', sql`kind in (${sql.join(TIP_PART_KINDS.map((k) => sql.lit(k)))})`)
        .execute();
      await db.schema.createIndex('tip_parts_tip').on('tip_parts').column('tip_id').execute();
    },
  };
}
