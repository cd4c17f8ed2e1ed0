// The first schema of the whole platform. Column types that differ between
// SQLite and PostgreSQL come from `ColumnTypes` (store/dialect.ts), never from
// branches here.
import { sql, type Kysely } from 'kysely';
import type { ColumnTypes } from '../dialect.ts';
import {
  EDITION_STATUSES,
  RECIPIENT_STATES,
  ROLE_NAMES,
  SEND_KINDS,
  SEND_STATUSES,
  SUBSCRIPTION_STATUSES,
  SUPPRESSION_REASONS,
} from '../schema.ts';

/** `column IN ('a', 'b')` as a check constraint body. */
function oneOf(column: string, values: readonly string[]) {
  return sql`${sql.ref(column)} in (${sql.join(values.map((v) => sql.lit(v)))})`;
}

export function initial(t: ColumnTypes) {
  return {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    async up(db: Kysely<any>): Promise<void> {
      await db.schema
        .createTable('publications')
        .addColumn('id', t.id, (c) => t.idColumn(c))
        .addColumn('slug', 'text', (c) => c.notNull().unique())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('language', 'text', (c) => c.notNull())
        .addColumn('timezone', 'text', (c) => c.notNull())
        .addColumn('schedule', 'text', (c) => c.notNull())
        .addColumn('settings', 'text', (c) => c.notNull())
        .addColumn('created_at', t.time, (c) => c.notNull())
        .addColumn('updated_at', t.time, (c) => c.notNull())
        .addCheckConstraint('publications_language', oneOf('language', ['fr', 'en']))
        .execute();

      await db.schema
        .createTable('people')
        .addColumn('id', t.id, (c) => t.idColumn(c))
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('email', 'text', (c) => c.notNull().unique())
        .addColumn('pgp_key', 'text')
        .addColumn('created_at', t.time, (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('memberships')
        .addColumn('person_id', t.ref, (c) => c.notNull().references('people.id').onDelete('cascade'))
        .addColumn('publication_id', t.ref, (c) => c.notNull().references('publications.id').onDelete('cascade'))
        .addColumn('role', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('memberships_pk', ['person_id', 'publication_id'])
        .addCheckConstraint('memberships_role', oneOf('role', ROLE_NAMES))
        .execute();

      await db.schema
        .createTable('users')
        .addColumn('id', t.id, (c) => t.idColumn(c))
        .addColumn('person_id', t.ref, (c) => c.notNull().unique().references('people.id').onDelete('cascade'))
        .addColumn('password_hash', 'text', (c) => c.notNull())
        .addColumn('created_at', t.time, (c) => c.notNull())
        .addColumn('disabled_at', t.time)
        .execute();

      await db.schema
        .createTable('sessions')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('user_id', t.ref, (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('created_at', t.time, (c) => c.notNull())
        .addColumn('expires_at', t.time, (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('editions')
        .addColumn('id', t.id, (c) => t.idColumn(c))
        .addColumn('publication_id', t.ref, (c) => c.notNull().references('publications.id').onDelete('cascade'))
        .addColumn('date', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull().defaultTo('draft'))
        .addColumn('current_version', 'integer', (c) => c.notNull())
        .addColumn('subject', 'text')
        .addColumn('created_at', t.time, (c) => c.notNull())
        .addColumn('updated_at', t.time, (c) => c.notNull())
        .addUniqueConstraint('editions_publication_date', ['publication_id', 'date'])
        .addCheckConstraint('editions_status', oneOf('status', EDITION_STATUSES))
        .execute();

      await db.schema
        .createTable('edition_versions')
        .addColumn('id', t.id, (c) => t.idColumn(c))
        .addColumn('edition_id', t.ref, (c) => c.notNull().references('editions.id').onDelete('cascade'))
        .addColumn('number', 'integer', (c) => c.notNull())
        .addColumn('source', 'text', (c) => c.notNull())
        .addColumn('author', 'text', (c) => c.notNull())
        .addColumn('created_at', t.time, (c) => c.notNull())
        .addUniqueConstraint('edition_versions_number', ['edition_id', 'number'])
        .addCheckConstraint('edition_versions_number_positive', sql`number > 0`)
        .execute();

      await db.schema
        .createTable('edition_transitions')
        .addColumn('id', t.id, (c) => t.idColumn(c))
        .addColumn('edition_id', t.ref, (c) => c.notNull().references('editions.id').onDelete('cascade'))
        .addColumn('from_status', 'text', (c) => c.notNull())
        .addColumn('to_status', 'text', (c) => c.notNull())
        .addColumn('actor', 'text', (c) => c.notNull())
        .addColumn('at', t.time, (c) => c.notNull())
        .addCheckConstraint('edition_transitions_from', oneOf('from_status', EDITION_STATUSES))
        .addCheckConstraint('edition_transitions_to', oneOf('to_status', EDITION_STATUSES))
        .execute();
      await db.schema.createIndex('edition_transitions_edition').on('edition_transitions').column('edition_id').execute();

      await db.schema
        .createTable('subscribers')
        .addColumn('id', t.id, (c) => t.idColumn(c))
        .addColumn('email', 'text', (c) => c.unique())
        .addColumn('email_hash', 'text', (c) => c.notNull().unique())
        .addColumn('name', 'text')
        .addColumn('created_at', t.time, (c) => c.notNull())
        .addColumn('updated_at', t.time, (c) => c.notNull())
        .addColumn('erased_at', t.time)
        .execute();

      await db.schema
        .createTable('subscriptions')
        .addColumn('id', t.id, (c) => t.idColumn(c))
        .addColumn('subscriber_id', t.ref, (c) => c.notNull().references('subscribers.id').onDelete('cascade'))
        .addColumn('publication_id', t.ref, (c) => c.notNull().references('publications.id').onDelete('cascade'))
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('source', 'text', (c) => c.notNull())
        .addColumn('created_at', t.time, (c) => c.notNull())
        .addColumn('confirmed_at', t.time)
        .addColumn('unsubscribed_at', t.time)
        .addColumn('updated_at', t.time, (c) => c.notNull())
        .addUniqueConstraint('subscriptions_subscriber_publication', ['subscriber_id', 'publication_id'])
        .addCheckConstraint('subscriptions_status', oneOf('status', SUBSCRIPTION_STATUSES))
        .execute();
      await db.schema
        .createIndex('subscriptions_publication_status')
        .on('subscriptions')
        .columns(['publication_id', 'status'])
        .execute();

      await db.schema
        .createTable('consent_log')
        .addColumn('id', t.id, (c) => t.idColumn(c))
        .addColumn('subscriber_id', t.ref, (c) => c.references('subscribers.id').onDelete('set null'))
        .addColumn('publication_id', t.ref, (c) => c.references('publications.id').onDelete('set null'))
        .addColumn('action', 'text', (c) => c.notNull())
        .addColumn('method', 'text', (c) => c.notNull())
        .addColumn('wording_version', 'text')
        .addColumn('ip_hash', 'text')
        .addColumn('details', 'text')
        .addColumn('at', t.time, (c) => c.notNull())
        .execute();
      await db.schema.createIndex('consent_log_subscriber').on('consent_log').column('subscriber_id').execute();

      await db.schema
        .createTable('suppressions')
        .addColumn('id', t.id, (c) => t.idColumn(c))
        .addColumn('publication_id', t.ref, (c) => c.notNull().references('publications.id').onDelete('cascade'))
        .addColumn('email_hash', 'text', (c) => c.notNull())
        .addColumn('reason', 'text', (c) => c.notNull())
        .addColumn('created_at', t.time, (c) => c.notNull())
        .addUniqueConstraint('suppressions_publication_hash', ['publication_id', 'email_hash'])
        .addCheckConstraint('suppressions_reason', oneOf('reason', SUPPRESSION_REASONS))
        .execute();

      await db.schema
        .createTable('sends')
        .addColumn('id', t.id, (c) => t.idColumn(c))
        .addColumn('edition_id', t.ref, (c) => c.notNull().references('editions.id').onDelete('cascade'))
        .addColumn('publication_id', t.ref, (c) => c.notNull().references('publications.id').onDelete('cascade'))
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('parent_send_id', t.ref, (c) => c.references('sends.id'))
        .addColumn('scheduled_for', t.time, (c) => c.notNull())
        .addColumn('started_at', t.time)
        .addColumn('finished_at', t.time)
        .addColumn('status_reason', 'text')
        .addColumn('created_by', 'text', (c) => c.notNull())
        .addColumn('created_at', t.time, (c) => c.notNull())
        .addCheckConstraint('sends_kind', oneOf('kind', SEND_KINDS))
        .addCheckConstraint('sends_status', oneOf('status', SEND_STATUSES))
        .execute();
      // At most one send to the list per edition: a second one must be an explicit resend.
      await db.schema
        .createIndex('sends_one_list_send_per_edition')
        .on('sends')
        .column('edition_id')
        .unique()
        .where(sql.ref('kind'), '=', sql.lit('list'))
        .execute();
      await db.schema.createIndex('sends_status_scheduled').on('sends').columns(['status', 'scheduled_for']).execute();

      await db.schema
        .createTable('recipients')
        .addColumn('id', t.id, (c) => t.idColumn(c))
        .addColumn('send_id', t.ref, (c) => c.notNull().references('sends.id').onDelete('cascade'))
        .addColumn('subscriber_id', t.ref, (c) => c.references('subscribers.id').onDelete('set null'))
        .addColumn('email', 'text', (c) => c.notNull())
        .addColumn('state', 'text', (c) => c.notNull().defaultTo('pending'))
        .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('lease_owner', 'text')
        .addColumn('lease_expires_at', t.time)
        .addColumn('next_attempt_at', t.time, (c) => c.notNull())
        .addColumn('message_id', 'text')
        .addColumn('relay_code', 'integer')
        .addColumn('relay_response', 'text')
        .addColumn('updated_at', t.time, (c) => c.notNull())
        .addUniqueConstraint('recipients_send_email', ['send_id', 'email'])
        .addCheckConstraint('recipients_state', oneOf('state', RECIPIENT_STATES))
        .addCheckConstraint('recipients_attempts', sql`attempts >= 0`)
        .execute();
      await db.schema
        .createIndex('recipients_claim')
        .on('recipients')
        .columns(['send_id', 'state', 'next_attempt_at'])
        .execute();

      await db.schema
        .createTable('tips')
        .addColumn('id', t.id, (c) => t.idColumn(c))
        .addColumn('publication_id', t.ref, (c) => c.notNull().references('publications.id').onDelete('cascade'))
        .addColumn('ciphertext', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull().defaultTo('new'))
        .addColumn('created_at', t.time, (c) => c.notNull())
        .addCheckConstraint('tips_status', oneOf('status', ['new', 'read', 'archived']))
        .execute();

      await db.schema
        .createTable('audit_log')
        .addColumn('id', t.id, (c) => t.idColumn(c))
        .addColumn('actor', 'text', (c) => c.notNull())
        .addColumn('action', 'text', (c) => c.notNull())
        .addColumn('subject_type', 'text', (c) => c.notNull())
        .addColumn('subject_id', 'text')
        .addColumn('details', 'text')
        .addColumn('at', t.time, (c) => c.notNull())
        .execute();
    },
  };
}
