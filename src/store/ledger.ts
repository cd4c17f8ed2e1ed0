// The delivery ledger over SQLite or PostgreSQL: lease renewal, results,
// completion. The claim, with the look at readers who left, is in
// ledger-claim.ts.
import { sql } from 'kysely';
import type { Statement } from 'better-sqlite3';
import type { Store } from './db.ts';
import type { RecipientState, SendKind, SendStatus } from './schema.ts';
import { moveSend } from './sends.ts';
import { inTransaction } from './transaction.ts';

// The ledger's queries, as delivery's worker needs them; delivery/store-ledger.ts
// adapts them to its `Ledger` (and retries them while PostgreSQL is down). The
// types below are the store's own rows: the store imports nothing from above.

/** The result written to a ledger row: a final state, or `pending` again with the time of its next attempt. */
export interface ResultRow {
  id: number;
  state: Extract<RecipientState, 'pending' | 'sent' | 'bounced' | 'failed'>;
  message_id: string;
  relay_code: number | null;
  relay_response: string;
  /** For `pending` only: when the row is due again. */
  next_attempt_at: number | null;
}

/** A send with its stored message (JSON of delivery's MessageTemplate). */
export interface SendWithMessage {
  id: number;
  publicationId: number;
  kind: SendKind;
  status: SendStatus;
  startedAt: number | null;
  template: string;
}

/** Of `sendIds`, those still running. */
export async function runningAmong(store: Store, sendIds: readonly number[]): Promise<number[]> {
  if (sendIds.length === 0) return [];
  const rows = await store.db.selectFrom('sends').select('id').where('id', 'in', [...sendIds]).where('status', '=', 'running').execute();
  return rows.map((r) => r.id);
}

/** Extends the lease of the rows this worker still holds; returns their ids. */
export async function renewLeases(store: Store, workerId: string, ids: readonly number[], until: number): Promise<number[]> {
  if (ids.length === 0) return [];
  // An expired lease not yet claimed by anyone is still this worker's to
  // renew: a claim and this update take the same row lock, so exactly one wins.
  const r = await store.db
    .updateTable('recipients')
    .set({ lease_expires_at: until })
    .where('id', 'in', [...ids])
    .where('state', '=', 'sending')
    .where('lease_owner', '=', workerId)
    .returning('id')
    .execute();
  return r.map((row) => row.id);
}

/** Gives back rows this worker holds but did not attempt: pending again, due now, the claim's attempt not counted. */
export async function releaseRecipients(store: Store, workerId: string, ids: readonly number[], now: number): Promise<void> {
  if (ids.length === 0) return;
  await store.db
    .updateTable('recipients')
    .set((eb) => ({ state: 'pending', lease_owner: null, lease_expires_at: null, next_attempt_at: now, attempts: eb('attempts', '-', 1), updated_at: now }))
    .where('id', 'in', [...ids])
    .where('state', '=', 'sending')
    .where('lease_owner', '=', workerId)
    .execute();
}

/**
 * Writes the results of a batch all or nothing: on PostgreSQL one statement
 * of eight arrays, whatever the batch's size (no transaction around it: one
 * round trip); on SQLite one prepared statement per row, in one transaction.
 * A second run (its answer lost with the connection) changes nothing, since
 * only rows still `sending` under this worker's lease take a result: when the
 * lease expired and another worker claimed the row, that worker's result is
 * the one kept, never overwritten by a late one.
 */
export async function recordResults(store: Store, workerId: string, results: readonly ResultRow[], now: number): Promise<void> {
  if (results.length === 0) return;
  if (store.capabilities.supportsArrayParameters) {
    // The guard compares each row with columns of `v` (the state and owner it
    // must still have), not with constants. As constants, the planner, which
    // has no statistics of a ledger written seconds ago, took them for a
    // filter that leaves one row, scanned every row still `sending` for it,
    // and unnested the arrays once per row it found: 15 to 30 ms of the
    // server's CPU a batch of 200 instead of 2 to 4. So the ledger is reached
    // by primary key only.
    const ids = results.map((r) => r.id);
    const column = <T>(f: (r: ResultRow) => T) => results.map(f);
    await sql`
      update recipients set
        state = v.state,
        message_id = v.message_id,
        relay_code = v.relay_code,
        relay_response = v.relay_response,
        next_attempt_at = coalesce(v.next_attempt_at, recipients.next_attempt_at),
        lease_owner = null,
        lease_expires_at = null,
        updated_at = ${now}
      from unnest(
        cast(${ids} as bigint[]), cast(${column((r) => r.state)} as text[]), cast(${column((r) => r.message_id)} as text[]),
        cast(${column((r) => r.relay_code)} as integer[]), cast(${column((r) => r.relay_response.slice(0, 1000))} as text[]),
        cast(${column((r) => r.next_attempt_at)} as bigint[]),
        array_fill('sending'::text, array[${results.length}::int]), array_fill(${workerId}::text, array[${results.length}::int])
      ) as v(id, state, message_id, relay_code, relay_response, next_attempt_at, held_state, held_by)
      where recipients.id = any(cast(${ids} as bigint[])) and recipients.id = v.id
        and recipients.state = v.held_state and recipients.lease_owner = v.held_by`.execute(store.db);
    return;
  }
  await inTransaction(store, async (tx) => {
    // SQLite, in this process: one prepared statement run per row, inside the
    // transaction. No round trip to save, and building, binding and planning
    // an UPDATE … FROM (VALUES …) of the batch cost three times as much.
    const update = sqliteRecordStatement(tx.sqlite!);
    for (const o of results) {
      update.run(o.state, o.message_id, o.relay_code, o.relay_response.slice(0, 1000), o.next_attempt_at, now, o.id, workerId);
    }
  });
}

// The statement of recordResults on SQLite, prepared once per database: the same assignments and guard as above.
const sqliteRecordStatements = new WeakMap<NonNullable<Store['sqlite']>, Statement>();

function sqliteRecordStatement(sqlite: NonNullable<Store['sqlite']>): Statement {
  let statement = sqliteRecordStatements.get(sqlite);
  if (!statement) {
    statement = sqlite.prepare(`
      update recipients set
        state = ?, message_id = ?, relay_code = ?, relay_response = ?,
        next_attempt_at = coalesce(?, next_attempt_at),
        lease_owner = null, lease_expires_at = null, updated_at = ?
      where id = ? and state = 'sending' and lease_owner = ?`);
    sqliteRecordStatements.set(sqlite, statement);
  }
  return statement;
}

/** A send and its stored message, once it has started. */
export async function sendWithMessage(store: Store, sendId: number): Promise<SendWithMessage | undefined> {
  return store.db
    .selectFrom('sends as s')
    .innerJoin('send_messages as m', 'm.send_id', 's.id')
    .select(['s.id', 's.publication_id as publicationId', 's.kind', 's.status', 's.started_at as startedAt', 'm.template'])
    .where('s.id', '=', sendId)
    .executeTakeFirst();
}

/**
 * Whether some row of the send is still pending or sending: the first step of
 * the walk of recipients_due (the states as literals, the partial index's
 * own), no write. The worker asks it after each batch before trying to end the
 * send. On PostgreSQL the send is given as an array and the rows ordered by
 * (send, id), as in the claim (ledger-claim.ts): with statistics taken when
 * every row was pending, `send_id = $1 … limit 1` read the table from its
 * start, through every row already sent, after every batch.
 */
export async function hasRowsToDeliver(store: Store, sendId: number): Promise<boolean> {
  const due = [sql.lit<'pending'>('pending'), sql.lit<'sending'>('sending')];
  const row = store.capabilities.supportsArrayParameters
    ? await store.db
        .selectFrom('recipients')
        .select(sql.lit(1).as('one'))
        .where('send_id', '=', sql<number>`any(${[sendId]}::bigint[])`)
        .where('state', 'in', due)
        .orderBy('send_id')
        .orderBy('id')
        .limit(1)
        .executeTakeFirst()
    : await store.db.selectFrom('recipients').select(sql.lit(1).as('one')).where('send_id', '=', sendId).where('state', 'in', due).limit(1).executeTakeFirst();
  return row !== undefined;
}

/** Marks a running send done when none of its rows is pending or sending; true when this call did it. */
export async function markDoneIfComplete(store: Store, sendId: number, now: number): Promise<boolean> {
  const r = await store.db
    .updateTable('sends')
    .set({ status: 'done', finished_at: now, status_reason: null })
    .where('id', '=', sendId)
    .where('status', '=', 'running')
    .where((eb) =>
      eb.not(eb.exists(eb.selectFrom('recipients').select('id').where('send_id', '=', sendId).where('state', 'in', ['pending', 'sending']))),
    )
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

/** Pauses a running send with a reason for the newsroom; false when it was not running. */
export async function pauseSend(store: Store, sendId: number, reason: string, _now: number): Promise<boolean> {
  return moveSend(store, sendId, 'running', 'paused', reason);
}

/** The ledger rows of a subscriber (their data export): which send, in what state, since when. */
export async function deliveriesOf(store: Store, subscriberId: number): Promise<Array<{ send_id: number; state: RecipientState; updated_at: number }>> {
  return store.db.selectFrom('recipients').select(['send_id', 'state', 'updated_at']).where('subscriber_id', '=', subscriberId).orderBy('id').execute();
}

/**
 * Replaces the address on a subscriber's finished ledger rows (erasure): the
 * counts of past sends stay, the address goes. Rows still to be sent are left
 * to delivery, which checks the suppression list.
 */
export async function forgetAddressInLedger(store: Store, subscriberId: number): Promise<void> {
  await store.db
    .updateTable('recipients')
    .set({ email: `erased-${subscriberId}` })
    .where('subscriber_id', '=', subscriberId)
    .where('state', 'in', ['sent', 'bounced', 'failed', 'suppressed'])
    .execute();
}
