// Sends and the snapshot of their recipients. Every write is one guarded
// transaction: a send is created once per edition (the unique partial index
// `sends_one_list_send_per_edition` has the last word when two processes try),
// started once (`… WHERE status = 'scheduled'`), and its recipients are
// snapshotted in the same transaction that starts it, in one INSERT … SELECT.
import { sql, type Kysely } from 'kysely';
import type { Store } from './db.ts';
import type { Actor } from './edition-workflow.ts';
import { transitionEdition } from './editions.ts';
import type { Database, Millis, RecipientState, SendKind, SendRow, SendStatus } from './schema.ts';
import { inTransaction } from './transaction.ts';
import { mailableIn } from './mailable.ts';

/** The table added by migration 0003-delivery. */
export interface SendMessagesTable {
  send_id: number;
  template: string;
  created_at: Millis;
}

export type DeliveryDatabase = Database & { send_messages: SendMessagesTable };

const SYSTEM: Actor = { kind: 'system', name: 'delivery' };

/** Why a send cannot be created or started; the CLI shows the message. */
export class SendRefused extends Error {
  constructor(
    readonly code: 'edition-not-found' | 'not-approved' | 'already-sent' | 'no-failed-rows' | 'no-addresses' | 'send-not-found' | 'wrong-state',
    message: string,
  ) {
    super(message);
  }
}

function db(store: Store): Kysely<DeliveryDatabase> {
  return store.db as unknown as Kysely<DeliveryDatabase>;
}

const at = (now: number) => ({ clock: { now: () => now } });

/**
 * Creates the send of an edition to its publication's list, scheduled for
 * `scheduledFor`; the edition must be approved. A send that was recorded as
 * missed, or cancelled before it started, is taken up again instead (still
 * once: the same row).
 */
export async function createListSend(
  store: Store,
  input: { editionId: number; scheduledFor: number; createdBy: string; now: number },
): Promise<SendRow> {
  return inTransaction(store, async (tx) => {
    const edition = await tx.db.selectFrom('editions').select(['id', 'publication_id', 'status']).where('id', '=', input.editionId).executeTakeFirst();
    if (!edition) throw new SendRefused('edition-not-found', `no edition ${input.editionId}`);
    const existing = await tx.db.selectFrom('sends').selectAll().where('edition_id', '=', edition.id).where('kind', '=', 'list').executeTakeFirst();
    if (existing && existing.status !== 'missed' && existing.status !== 'cancelled') {
      throw new SendRefused(
        'already-sent',
        `edition ${edition.id} already has send ${existing.id} (${existing.status}); only the rows that failed can be sent again, as a resend`,
      );
    }
    if (edition.status !== 'approved') {
      throw new SendRefused('not-approved', `edition ${edition.id} is ${edition.status}: only an approved edition can be sent to the list (or use --test)`);
    }
    await transitionEdition(tx, edition.id, 'scheduled', SYSTEM, at(input.now));
    if (existing) {
      return tx.db
        .updateTable('sends')
        .set({ status: 'scheduled', scheduled_for: input.scheduledFor, status_reason: null, created_by: input.createdBy })
        .where('id', '=', existing.id)
        .returningAll()
        .executeTakeFirstOrThrow();
    }
    try {
      return await tx.db
        .insertInto('sends')
        .values({
          edition_id: edition.id,
          publication_id: edition.publication_id,
          kind: 'list',
          status: 'scheduled',
          parent_send_id: null,
          scheduled_for: input.scheduledFor,
          created_by: input.createdBy,
          created_at: input.now,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
    } catch (err) {
      if (isUniqueViolation(err)) throw new SendRefused('already-sent', `edition ${edition.id} was just sent by someone else`);
      throw err;
    }
  });
}

/** Records that an edition's scheduled time passed beyond the grace period while no process sent it. */
export async function recordMissedSend(
  store: Store,
  input: { editionId: number; publicationId: number; scheduledFor: number; reason: string; now: number },
): Promise<SendRow | undefined> {
  try {
    return await db(store)
      .insertInto('sends')
      .values({
        edition_id: input.editionId,
        publication_id: input.publicationId,
        kind: 'list',
        status: 'missed',
        parent_send_id: null,
        scheduled_for: input.scheduledFor,
        status_reason: input.reason,
        created_by: 'system:scheduler',
        created_at: input.now,
      })
      .returningAll()
      .executeTakeFirst();
  } catch (err) {
    if (isUniqueViolation(err)) return undefined; // another process recorded it, or sent it
    throw err;
  }
}

/** Creates a test send of an edition (any state) to the given addresses only. */
export async function createTestSend(
  store: Store,
  input: { editionId: number; addresses: readonly string[]; createdBy: string; now: number },
): Promise<SendRow> {
  const addresses = [...new Set(input.addresses)];
  if (addresses.length === 0) throw new SendRefused('no-addresses', 'a test send needs at least one address');
  return inTransaction(store, async (tx) => {
    const edition = await tx.db.selectFrom('editions').select(['id', 'publication_id']).where('id', '=', input.editionId).executeTakeFirst();
    if (!edition) throw new SendRefused('edition-not-found', `no edition ${input.editionId}`);
    const send = await tx.db
      .insertInto('sends')
      .values({
        edition_id: edition.id,
        publication_id: edition.publication_id,
        kind: 'test',
        status: 'scheduled',
        parent_send_id: null,
        scheduled_for: input.now,
        created_by: input.createdBy,
        created_at: input.now,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    await tx.db
      .insertInto('recipients')
      .values(addresses.map((email) => ({ send_id: send.id, subscriber_id: null, email, next_attempt_at: input.now, updated_at: input.now })))
      .execute();
    return send;
  });
}

/**
 * How many test messages (recipients of test sends) `createdBy` asked for
 * since `since`. Run it in the transaction that creates the next test send,
 * after `lockPerson`, so that parallel requests count one another.
 */
export async function testMessagesSince(store: Store, createdBy: string, since: number): Promise<number> {
  const row = await store.db
    .selectFrom('recipients')
    .innerJoin('sends', 'sends.id', 'recipients.send_id')
    .where('sends.kind', '=', 'test')
    .where('sends.created_by', '=', createdBy)
    .where('sends.created_at', '>', since)
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** The publication of each of these sends (those that exist). */
export async function publicationsOfSends(store: Store, sendIds: readonly number[]): Promise<Map<number, number>> {
  const found = new Map<number, number>();
  const ids = [...new Set(sendIds)];
  // In slices, far below either backend's limit of bound parameters.
  for (let i = 0; i < ids.length; i += 500) {
    const rows = await store.db.selectFrom('sends').select(['id', 'publication_id']).where('id', 'in', ids.slice(i, i + 500)).execute();
    for (const row of rows) found.set(row.id, row.publication_id);
  }
  return found;
}

/** Creates a resend of the rows of `parentSendId` that failed (not those that bounced), in one INSERT … SELECT. */
export async function createResend(store: Store, input: { parentSendId: number; createdBy: string; now: number }): Promise<SendRow> {
  return inTransaction(store, async (tx) => {
    const parent = await tx.db.selectFrom('sends').selectAll().where('id', '=', input.parentSendId).executeTakeFirst();
    if (!parent) throw new SendRefused('send-not-found', `no send ${input.parentSendId}`);
    if (parent.status === 'running' || parent.status === 'scheduled') {
      throw new SendRefused('wrong-state', `send ${parent.id} is ${parent.status}: wait for it to end before resending what failed`);
    }
    const send = await tx.db
      .insertInto('sends')
      .values({
        edition_id: parent.edition_id,
        publication_id: parent.publication_id,
        kind: 'resend',
        status: 'scheduled',
        parent_send_id: parent.id,
        scheduled_for: input.now,
        created_by: input.createdBy,
        created_at: input.now,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    const copied = await tx.db
      .insertInto('recipients')
      .columns(['send_id', 'subscriber_id', 'email', 'state', 'attempts', 'next_attempt_at', 'updated_at'])
      .expression((eb) =>
        eb
          .selectFrom('recipients')
          .select([
            sql.lit(send.id).as('send_id'),
            'subscriber_id',
            'email',
            sql.lit('pending').as('state'),
            sql.lit(0).as('attempts'),
            sql.lit(input.now).as('next_attempt_at'),
            sql.lit(input.now).as('updated_at'),
          ])
          .where('send_id', '=', parent.id)
          .where('state', '=', 'failed'),
      )
      .returning('id')
      .execute();
    if (copied.length === 0) throw new SendRefused('no-failed-rows', `send ${parent.id} has no failed recipients to send again`);
    return send;
  });
}

/** Sends whose time has come and that no process has started yet. */
export async function dueSends(store: Store, now: number): Promise<SendRow[]> {
  return store.db.selectFrom('sends').selectAll().where('status', '=', 'scheduled').where('scheduled_for', '<=', now).orderBy('id').execute();
}

/**
 * Starts a scheduled send exactly once: stores its pre-encoded message,
 * snapshots every active, unsuppressed subscriber of the publication into the
 * ledger in one INSERT … SELECT (list sends), and moves the edition to
 * sending. A send with no recipient (an empty list) is done at once, its
 * edition sent. Returns the number of recipients, or undefined when another
 * process started (or cancelled) it first.
 */
export async function startSend(store: Store, sendId: number, template: string, now: number): Promise<number | undefined> {
  return inTransaction(store, async (tx) => {
    const send = await tx.db.selectFrom('sends').select(['kind', 'edition_id']).where('id', '=', sendId).executeTakeFirst();
    if (send?.kind === 'list') {
      // The edition left `scheduled` since: unscheduled by an editor (back to
      // approved), or a new version saved (back to ready): what was approved
      // is no longer what would go out, or no longer wanted. The send does not start.
      const edition = await tx.db.selectFrom('editions').select('status').where('id', '=', send.edition_id).executeTakeFirst();
      if (edition && edition.status !== 'scheduled') {
        const why = edition.status === 'approved' ? 'the edition was unscheduled' : `the edition went back to ${edition.status}`;
        await tx.db
          .updateTable('sends')
          .set({ status: 'cancelled', status_reason: `cancelled: ${why} after the send was scheduled; send it again when it is wanted` })
          .where('id', '=', sendId)
          .where('status', '=', 'scheduled')
          .execute();
        return undefined;
      }
    }
    const started = await tx.db
      .updateTable('sends')
      .set({ status: 'running', started_at: now, status_reason: null })
      .where('id', '=', sendId)
      .where('status', '=', 'scheduled')
      .returningAll()
      .executeTakeFirst();
    if (!started) return undefined;
    await db(tx).insertInto('send_messages').values({ send_id: sendId, template, created_at: now }).execute();
    if (started.kind === 'list') {
      await tx.db
        .insertInto('recipients')
        .columns(['send_id', 'subscriber_id', 'email', 'state', 'attempts', 'next_attempt_at', 'updated_at'])
        .expression((eb) =>
          eb
            .selectFrom('subscriptions as sub')
            .innerJoin('subscribers as p', 'p.id', 'sub.subscriber_id')
            .select([
              sql.lit(sendId).as('send_id'),
              'p.id',
              'p.email',
              sql.lit('pending').as('state'),
              sql.lit(0).as('attempts'),
              sql.lit(now).as('next_attempt_at'),
              sql.lit(now).as('updated_at'),
            ])
            .where(mailableIn(started.publication_id)),
        )
        .execute();
      const edition = await tx.db.selectFrom('editions').select('status').where('id', '=', started.edition_id).executeTakeFirst();
      if (edition?.status === 'scheduled') await transitionEdition(tx, started.edition_id, 'sending', SYSTEM, at(now));
    }
    const count = await tx.db
      .selectFrom('recipients')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('send_id', '=', sendId)
      .executeTakeFirstOrThrow();
    const n = Number(count.n);
    // Nobody to mail: no worker would ever claim a row, so nothing would ever
    // find the send complete. It ends here, done, saying why it mailed no one.
    if (n === 0) await finishEmpty(tx, started, now);
    return n;
  });
}

/** The reason a send that started with no recipient gives (the CLI and the dashboard show it). */
export const EMPTY_LIST_REASON = 'the list was empty: no active, unsuppressed subscriber when the send started';

async function finishEmpty(tx: Store, send: SendRow, now: number): Promise<void> {
  await tx.db.updateTable('sends').set({ status: 'done', finished_at: now, status_reason: EMPTY_LIST_REASON }).where('id', '=', send.id).execute();
  if (send.kind !== 'list') return;
  const edition = await tx.db.selectFrom('editions').select('status').where('id', '=', send.edition_id).executeTakeFirst();
  if (edition?.status === 'sending') await transitionEdition(tx, send.edition_id, 'sent', SYSTEM, at(now));
}

/** Marks a scheduled send missed (its time passed beyond the grace period). */
export async function markMissed(store: Store, sendId: number, reason: string): Promise<boolean> {
  const r = await store.db
    .updateTable('sends')
    .set({ status: 'missed', status_reason: reason })
    .where('id', '=', sendId)
    .where('status', '=', 'scheduled')
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

/** Resumes a paused send. */
export async function resumeSend(store: Store, sendId: number): Promise<boolean> {
  const r = await store.db
    .updateTable('sends')
    .set({ status: 'running', status_reason: null })
    .where('id', '=', sendId)
    .where('status', '=', 'paused')
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

/** A send by id. */
export async function getSend(store: Store, sendId: number): Promise<SendRow | undefined> {
  return store.db.selectFrom('sends').selectAll().where('id', '=', sendId).executeTakeFirst();
}

/** The most recent sends, newest first. */
export async function listSends(store: Store, limit = 20): Promise<SendRow[]> {
  return store.db.selectFrom('sends').selectAll().orderBy('id', 'desc').limit(limit).execute();
}

/** Recipients of a send per state, with the time of the latest final result. */
export async function recipientCounts(store: Store, sendId: number): Promise<{ counts: Record<RecipientState, number>; lastUpdate: number | null }> {
  const rows = await store.db
    .selectFrom('recipients')
    .select((eb) => ['state', eb.fn.countAll<number>().as('n'), eb.fn.max('updated_at').as('last')])
    .where('send_id', '=', sendId)
    .groupBy('state')
    .execute();
  const counts: Record<RecipientState, number> = { pending: 0, sending: 0, sent: 0, bounced: 0, failed: 0, suppressed: 0 };
  let lastUpdate: number | null = null;
  for (const r of rows) {
    counts[r.state] = Number(r.n);
    if (r.state !== 'pending' && r.state !== 'sending' && r.last !== null) lastUpdate = Math.max(lastUpdate ?? 0, Number(r.last));
  }
  return { counts, lastUpdate };
}

/** The rows of a send (for tests, the dashboard and `sends --json`). */
export async function sendRecipients(store: Store, sendId: number) {
  return store.db.selectFrom('recipients').selectAll().where('send_id', '=', sendId).orderBy('id').execute();
}

export type { SendKind, SendStatus };

function isUniqueViolation(err: unknown): boolean {
  const e = err as { code?: string; message?: string };
  return e.code === '23505' || e.code === 'SQLITE_CONSTRAINT_UNIQUE' || /UNIQUE constraint failed/.test(e.message ?? '');
}
