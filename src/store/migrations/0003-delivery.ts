// Delivery's own table: the pre-encoded message of each send, written once when
// the send starts, so that every worker process (on any machine) splices the
// same bytes without rendering the edition again.
import type { Kysely } from 'kysely';
import type { ColumnTypes } from '../dialect.ts';

export function delivery(t: ColumnTypes) {
  return {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    async up(db: Kysely<any>): Promise<void> {
      await db.schema
        .createTable('send_messages')
        .addColumn('send_id', t.ref, (c) => c.primaryKey().references('sends.id').onDelete('cascade'))
        // JSON of a MessageTemplate (src/delivery/message-template.ts): 7-bit text only.
        .addColumn('template', 'text', (c) => c.notNull())
        .addColumn('created_at', t.time, (c) => c.notNull())
        .execute();
    },
  };
}
