// The delivery ledger over SQLite or PostgreSQL: claims with a lease, lease
// renewal, results, completion.
//
// Claiming: PostgreSQL (`supportsSkipLocked`) selects the rows `FOR UPDATE
// SKIP LOCKED`, so that many workers claim disjoint batches side by side
// without waiting for each other. SQLite has one writer at a time: the same
// claim runs inside a `BEGIN IMMEDIATE` transaction, which is all the
// exclusion it needs. Both mark the rows `sending` under the worker's lease in
// the same statement that picks them.
import { sql } from 'kysely';
import type { Statement } from 'better-sqlite3';
import type { Store } from './db.ts';
import type { RecipientState, SendKind, SendStatus } from './schema.ts';
import { moveSend } from './sends.ts';
import { inTransaction } from './transaction.ts';

// The ledger's queries, as delivery's worker needs them; delivery/store-ledger.ts
// adapts them to its `Ledger` (and retries them while PostgreSQL is down). The
// types below are the store's own rows: the store imports nothing from above.

/** Which rows a worker asks for: up to `limit` due rows (of `sendId` only, when given), under a lease of `leaseMs` from `now`. */
export interface ClaimRequest {
  workerId: string;
  now: number;
  leaseMs: number;
  limit: number;
  sendId?: number;
}

/** A ledger row claimed under a worker's lease, with its send's publication. */
export interface ClaimedRow {
  id: number;
  sendId: number;
  publicationId: number;
  subscriberId: number | null;
  email: string;
  /** Attempts so far, the claim's included. */
  attempts: number;
}

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

/**
 * Takes up to `limit` rows of running sends that are due (pending with
 * next_attempt_at ≤ now, or held under a lease that has expired), marks them
 * `sending` under the worker's lease, and returns them in id order. Rows whose
 * reader left (readersGone) since the snapshot are set `suppressed` and not returned.
 */
export async function claimRecipients(store: Store, o: ClaimRequest): Promise<ClaimedRow[]> {
  return inTransaction(store, async (tx) => {
    // The running sends first (a handful), then each send's first due rows
    // through its own walk of recipients_due (migration 0010): a claim over
    // `send_id in (…)` made the planners read and sort every row left.
    let running = tx.db.selectFrom('sends').select('id').where('status', '=', 'running').orderBy('id');
    if (o.sendId !== undefined) running = running.where('id', '=', o.sendId);
    const claimed: Array<{ id: number; sendId: number; subscriberId: number | null; email: string; attempts: number }> = [];
    for (const { id: sendId } of await running.execute()) {
      const limit = o.limit - claimed.length;
      if (limit <= 0) break;
      let pick = tx.db
        .selectFrom('recipients as r')
        .select('r.id')
        .where('r.send_id', '=', sendId)
        // The partial index's own condition, so that both planners take it;
        // in literals: SQLite proves a partial index usable only from constants,
        // and with parameters it walked recipients_claim and sorted every row
        // left at each claim (24 µs a row over a send of 20,000; now 3).
        .where('r.state', 'in', [sql.lit<'pending'>('pending'), sql.lit<'sending'>('sending')])
        .where((eb) =>
          eb.or([
            eb.and([eb('r.state', '=', 'pending'), eb('r.next_attempt_at', '<=', o.now)]),
            eb.and([eb('r.state', '=', 'sending'), eb('r.lease_expires_at', '<', o.now)]),
          ]),
        )
        .orderBy('r.id')
        .limit(limit);
      if (tx.capabilities.supportsSkipLocked) pick = pick.forUpdate().skipLocked();
      claimed.push(
        ...(await tx.db
          .updateTable('recipients')
          .set((eb) => ({
            state: 'sending',
            lease_owner: o.workerId,
            lease_expires_at: o.now + o.leaseMs,
            attempts: eb('attempts', '+', 1),
            updated_at: o.now,
          }))
          .where('id', 'in', pick)
          .returning(['id', 'send_id as sendId', 'subscriber_id as subscriberId', 'email', 'attempts'])
          .execute()),
      );
    }
    if (claimed.length === 0) return [];

    // Someone who left (or was suppressed) after the snapshot is not mailed.
    const ids = claimed.map((c) => c.id);
    const gone = await tx.db
      .updateTable('recipients')
      .set({ state: 'suppressed', lease_owner: null, lease_expires_at: null, updated_at: o.now })
      .where('id', 'in', readersGone(tx, ids))
      .returning('id')
      .execute();
    const goneIds = new Set(gone.map((g) => g.id));
    const sendIds = [...new Set(claimed.map((c) => c.sendId))];
    const publications = new Map(
      (await tx.db.selectFrom('sends').select(['id', 'publication_id']).where('id', 'in', sendIds).execute()).map((s) => [s.id, s.publication_id]),
    );
    return claimed
      .filter((c) => !goneIds.has(c.id))
      .sort((a, b) => a.id - b.id)
      .map((c) => ({ ...c, publicationId: publications.get(c.sendId)! }));
  });
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
 * Writes the results of a batch in one statement (one per 2,000 rows on
 * SQLite), in one transaction: the batch's results land together or not at
 * all, and a second run (its answer lost with the connection) changes
 * nothing, since only rows still `sending` under this worker's lease take a
 * result: when the lease expired and another worker claimed the row, that
 * worker's result is the one kept, never overwritten by a late one.
 */
export async function recordResults(store: Store, workerId: string, results: readonly ResultRow[], now: number): Promise<void> {
  if (results.length === 0) return;
  const set = sql`
    state = v.state,
    message_id = v.message_id,
    relay_code = v.relay_code,
    relay_response = v.relay_response,
    next_attempt_at = coalesce(v.next_attempt_at, recipients.next_attempt_at),
    lease_owner = null,
    lease_expires_at = null,
    updated_at = ${now}`;
  const guard = sql`recipients.id = v.id and recipients.state = 'sending' and recipients.lease_owner = ${workerId}`;
  await inTransaction(store, async (tx) => {
    if (tx.capabilities.supportsArrayParameters) {
      // PostgreSQL: six arrays, whatever the batch's size: one statement to parse and plan.
      const column = <T>(f: (r: ResultRow) => T) => results.map(f);
      await sql`
        update recipients set ${set}
        from unnest(
          cast(${column((r) => r.id)} as bigint[]), cast(${column((r) => r.state)} as text[]), cast(${column((r) => r.message_id)} as text[]),
          cast(${column((r) => r.relay_code)} as integer[]), cast(${column((r) => r.relay_response.slice(0, 1000))} as text[]),
          cast(${column((r) => r.next_attempt_at)} as bigint[])
        ) as v(id, state, message_id, relay_code, relay_response, next_attempt_at)
        where ${guard}`.execute(tx.db);
      return;
    }
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

/**
 * Of the given ledger rows, those whose reader may no longer be mailed: no
 * active subscription to the send's publication, or suppressed by it (test
 * sends mail the given addresses whatever their subscription). The claim and
 * the worker's second look (ledger-recheck.ts) ask the same question.
 */
export function readersGone(store: Store, ids: readonly number[]) {
  return store.db
    .selectFrom('recipients as r')
    .innerJoin('sends as s', 's.id', 'r.send_id')
    .select('r.id')
    .where('r.id', 'in', [...ids])
    .where('r.subscriber_id', 'is not', null)
    .where('s.kind', '!=', 'test')
    .where((eb) =>
      eb.or([
        eb.not(
          eb.exists(
            eb
              .selectFrom('subscriptions as sub')
              .select(sql.lit(1).as('one'))
              .whereRef('sub.subscriber_id', '=', 'r.subscriber_id')
              .whereRef('sub.publication_id', '=', 's.publication_id')
              .where('sub.status', '=', 'active'),
          ),
        ),
        eb.exists(
          eb
            .selectFrom('suppressions as x')
            .innerJoin('subscribers as p', 'p.email_hash', 'x.email_hash')
            .select(sql.lit(1).as('one'))
            .whereRef('p.id', '=', 'r.subscriber_id')
            .whereRef('x.publication_id', '=', 's.publication_id'),
        ),
      ]),
    );
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
