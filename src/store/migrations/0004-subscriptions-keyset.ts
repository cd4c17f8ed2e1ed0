// Reading a publication's subscriptions page by page (`WHERE publication_id = ?
// AND id > ? ORDER BY id`: export, send snapshots, the store benchmark) needs an
// index in that order; with only (publication_id, status) both backends scanned
// and sorted every subscription of the publication for each page, making a full
// read quadratic (47 s for 1,000,000 rows on SQLite).
import type { Kysely } from 'kysely';

export function subscriptionsKeyset() {
  return {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    async up(db: Kysely<any>): Promise<void> {
      await db.schema.createIndex('subscriptions_publication_id').on('subscriptions').columns(['publication_id', 'id']).execute();
    },
  };
}
