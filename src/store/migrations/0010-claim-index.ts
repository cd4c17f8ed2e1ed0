// The index a worker's claim walks: the rows of a send still to deliver
// (pending, or sending under a lease that may have expired), in id order.
// Without it the claim read every row of the send, the sent ones included,
// and sorted what was left: 127 ms per batch of 200 with 50,000 of 200,000
// rows left on PostgreSQL, growing with the list (a quadratic send). With
// it a claim reads the first rows still due and stops; the index shrinks as
// the send goes (a row that leaves it is final).
import { sql, type Kysely } from 'kysely';

export function claimIndex() {
  return {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    async up(db: Kysely<any>): Promise<void> {
      await db.schema
        .createIndex('recipients_due')
        .on('recipients')
        .columns(['send_id', 'id'])
        .where(sql.ref('state'), 'in', sql`('pending', 'sending')`)
        .execute();
    },
  };
}
