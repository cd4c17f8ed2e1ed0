// Sends and the snapshot of their recipients: the queries and guarded updates
// that delivery's rules (delivery/send-rules.ts, delivery/send-start.ts)
// compose into transactions. A send is created once per edition (the unique
// partial index `sends_one_list_send_per_edition` has the last word when two
// processes try), started once (`… WHERE status = 'scheduled'`), and its
// recipients are snapshotted in one INSERT … SELECT.
import { sql } from 'kysely';
import type { Store } from './db.ts';
import { mailableIn } from './mailable.ts';
import type { NewSend, RecipientState, SendKind, SendRow, SendStatus } from './schema.ts';

/** Inserts a send. */
export async function insertSend(store: Store, values: NewSend): Promise<SendRow> {
  return store.db.insertInto('sends').values(values).returningAll().executeTakeFirstOrThrow();
}

/**
 * Inserts a list send, unless its edition has one already (the unique index
 * answers, even against another process): then undefined. On PostgreSQL the
 * refused insert ends the transaction it ran in: the caller rolls back.
 */
export async function insertListSendOnce(store: Store, values: Omit<NewSend, 'kind'>): Promise<SendRow | undefined> {
  try {
    return await insertSend(store, { ...values, kind: 'list' });
  } catch (err) {
    if (isUniqueViolation(err)) return undefined;
    throw err;
  }
}

/** The list send of an edition (at most one), whatever its status. */
export async function listSendOf(store: Store, editionId: number): Promise<SendRow | undefined> {
  return store.db.selectFrom('sends').selectAll().where('edition_id', '=', editionId).where('kind', '=', 'list').executeTakeFirst();
}

/** Schedules again a send that was missed or cancelled (the same row). */
export async function rescheduleSend(store: Store, sendId: number, input: { scheduledFor: number; createdBy: string }): Promise<SendRow> {
  return store.db
    .updateTable('sends')
    .set({ status: 'scheduled', scheduled_for: input.scheduledFor, status_reason: null, created_by: input.createdBy })
    .where('id', '=', sendId)
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** Adds the given addresses (no subscriber behind them) as recipients of a send, due now. */
export async function insertAddressRecipients(store: Store, sendId: number, addresses: readonly string[], now: number): Promise<void> {
  if (addresses.length === 0) return;
  await store.db
    .insertInto('recipients')
    .values(addresses.map((email) => ({ send_id: sendId, subscriber_id: null, email, next_attempt_at: now, updated_at: now })))
    .execute();
}

/** The columns of a ledger row an INSERT … SELECT writes: the reader (subscriber, address) from the SELECT, then `newRow`. */
const NEW_ROW_COLUMNS = ['subscriber_id', 'email', 'send_id', 'state', 'attempts', 'next_attempt_at', 'updated_at'] as const;

/** A new ledger row of `sendId`: pending, never tried, due now. */
function newRow(sendId: number, now: number) {
  return [
    sql.lit(sendId).as('send_id'),
    sql.lit('pending').as('state'),
    sql.lit(0).as('attempts'),
    sql.lit(now).as('next_attempt_at'),
    sql.lit(now).as('updated_at'),
  ] as const;
}

/** Copies the failed rows of `fromSendId` (not those that bounced) into `toSendId`, pending and due now, in one INSERT … SELECT; returns how many. */
export async function copyFailedRecipients(store: Store, fromSendId: number, toSendId: number, now: number): Promise<number> {
  const copied = await store.db
    .insertInto('recipients')
    .columns(NEW_ROW_COLUMNS)
    .expression((eb) =>
      eb
        .selectFrom('recipients')
        .select(['subscriber_id', 'email', ...newRow(toSendId, now)])
        .where('send_id', '=', fromSendId)
        .where('state', '=', 'failed'),
    )
    .returning('id')
    .execute();
  return copied.length;
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

/** Sends whose time has come and that no process has started yet. */
export async function dueSends(store: Store, now: number): Promise<SendRow[]> {
  return store.db.selectFrom('sends').selectAll().where('status', '=', 'scheduled').where('scheduled_for', '<=', now).orderBy('id').execute();
}

/**
 * Moves a send from status `from` to `to` with the reason the newsroom reads
 * (null clears it), as a guarded update: true when this call moved it, false
 * when the send was no longer in `from` (another process got there first).
 */
export async function moveSend(store: Store, sendId: number, from: SendStatus, to: SendStatus, reason: string | null): Promise<boolean> {
  const r = await store.db.updateTable('sends').set({ status: to, status_reason: reason }).where('id', '=', sendId).where('status', '=', from).executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

/** Cancels a send that has not started, with the reason; false when it had started (or was no longer scheduled). */
export async function cancelScheduledSend(store: Store, sendId: number, reason: string): Promise<boolean> {
  return moveSend(store, sendId, 'scheduled', 'cancelled', reason);
}

/** Moves a scheduled send to running, exactly once; undefined when another process started (or cancelled) it first. */
export async function markSendRunning(store: Store, sendId: number, now: number): Promise<SendRow | undefined> {
  return store.db
    .updateTable('sends')
    .set({ status: 'running', started_at: now, status_reason: null })
    .where('id', '=', sendId)
    .where('status', '=', 'scheduled')
    .returningAll()
    .executeTakeFirst();
}

/** Stores the pre-encoded message of a send (once: the send's id is the key). */
export async function saveSendMessage(store: Store, sendId: number, template: string, now: number): Promise<void> {
  await store.db.insertInto('send_messages').values({ send_id: sendId, template, created_at: now }).execute();
}

/**
 * Snapshots into the ledger, in one INSERT … SELECT, every subscriber of the
 * send's publication with an active subscription, an address (not erased) and
 * no suppression for that publication; returns how many. No row goes through
 * Node. Rows go in address order: the ledger's unique index on (send, address)
 * then grows at its right edge instead of taking a million inserts at random
 * places (bench/snapshot.ts). Call it in a transaction (`startSend`).
 */
export async function snapshotListRecipients(store: Store, send: { id: number; publication_id: number }, now: number): Promise<number> {
  // The sort and the joins of a million rows: in memory rather than in temporary files.
  if (store.capabilities.dialect === 'postgres') await sql`set local work_mem = '64MB'`.execute(store.db);
  const inserted = await store.db
    .insertInto('recipients')
    .columns(NEW_ROW_COLUMNS)
    .expression((eb) =>
      eb
        .selectFrom('subscriptions as sub')
        .innerJoin('subscribers as p', 'p.id', 'sub.subscriber_id')
        .select(['p.id', 'p.email', ...newRow(send.id, now)])
        .where(mailableIn(send.publication_id))
        .orderBy('p.email'),
    )
    .executeTakeFirst();
  return Number(inserted.numInsertedOrUpdatedRows ?? 0);
}

/** How many recipients a send has. */
export async function countRecipients(store: Store, sendId: number): Promise<number> {
  const count = await store.db
    .selectFrom('recipients')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('send_id', '=', sendId)
    .executeTakeFirstOrThrow();
  return Number(count.n);
}

/** Ends a send as done, with the reason the newsroom reads (null: none). */
export async function finishSend(store: Store, sendId: number, now: number, reason: string | null): Promise<void> {
  await store.db.updateTable('sends').set({ status: 'done', finished_at: now, status_reason: reason }).where('id', '=', sendId).execute();
}

/** Marks a scheduled send missed (its time passed beyond the grace period). */
export async function markMissed(store: Store, sendId: number, reason: string): Promise<boolean> {
  return moveSend(store, sendId, 'scheduled', 'missed', reason);
}

/** Resumes a paused send. */
export async function resumeSend(store: Store, sendId: number): Promise<boolean> {
  return moveSend(store, sendId, 'paused', 'running', null);
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
