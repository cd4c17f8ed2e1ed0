// The claim of the delivery ledger: a worker takes the due rows of running
// sends under its lease, and the rows whose reader left since the snapshot
// end `suppressed` instead. Both backends mark the rows `sending` under the
// lease in the statement that picks them.
//
// PostgreSQL (`supportsWritingCtes`): one statement (in a transaction that
// only sets how it is planned). It picks the rows `FOR UPDATE SKIP LOCKED`,
// so that many workers claim disjoint batches side by side without waiting
// for each other, looks at each row's reader, and marks both kinds of rows.
// Before, a claim was a transaction of six statements (the running sends, one
// UPDATE per send, the readers gone, the publications).
// SQLite has one writer at a time: a `BEGIN IMMEDIATE` transaction is all the
// exclusion it needs, and its statements run in the process, no round trip.
//
// Every step reaches rows through a unique index or the walk of
// `recipients_due`, whatever the planner believes of the table: the ledger of
// a send is written in one statement and read at once, before any statistics
// describe it, and rows change state faster than ANALYZE sees. Written with
// `EXISTS`, the look at readers let PostgreSQL hash every active
// subscription and every subscriber of the list at each claim (20 ms of the
// server's CPU for 200 rows of a 20,000-reader send: a send quadratic in its
// list).
import { sql, type RawBuilder } from 'kysely';
import type { Store } from './db.ts';
import { inTransaction } from './transaction.ts';

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

/**
 * Takes up to `limit` rows of running sends that are due (pending with
 * next_attempt_at ≤ now, or held under a lease that has expired), marks them
 * `sending` under the worker's lease, and returns them in id order. Rows whose
 * reader left (readersGone) since the snapshot are set `suppressed` and not
 * returned. Each running send is walked in turn, in id order, until `limit`.
 */
export async function claimRecipients(store: Store, o: ClaimRequest): Promise<ClaimedRow[]> {
  return store.capabilities.supportsWritingCtes ? claimInOneStatement(store, o) : claimSendBySend(store, o);
}

/**
 * Whether the reader of ledger row `r` (of send `s`) may no longer be mailed:
 * no active subscription to the send's publication, or suppressed by it (test
 * sends mail the given addresses whatever their subscription). Each look is a
 * scalar subquery through a unique index (one subscription per reader and
 * publication, one subscriber per id, one suppression per publication and
 * address), which PostgreSQL cannot turn into a hash of the whole list.
 */
function readerGone(r: string, s: string): RawBuilder<boolean> {
  const subscriber = sql.ref(`${r}.subscriber_id`);
  const publication = sql.ref(`${s}.publication_id`);
  return sql<boolean>`(${subscriber} is not null and ${sql.ref(`${s}.kind`)} <> 'test' and (
    coalesce((select sub.status from subscriptions as sub where sub.subscriber_id = ${subscriber} and sub.publication_id = ${publication}), '') <> 'active'
    or (select x.id from subscribers as p inner join suppressions as x on x.email_hash = p.email_hash and x.publication_id = ${publication} where p.id = ${subscriber}) is not null))`;
}

/**
 * Of the given ledger rows, those whose reader may no longer be mailed
 * (readerGone). The SQLite claim and the worker's second look
 * (ledger-recheck.ts) ask this; the PostgreSQL claim asks the same of each
 * row it picks.
 */
export function readersGone(store: Store, ids: readonly number[]) {
  return store.db
    .selectFrom('recipients as r')
    .innerJoin('sends as s', 's.id', 'r.send_id')
    .select('r.id')
    .where('r.id', 'in', [...ids])
    .where(readerGone('r', 's'));
}

/**
 * PostgreSQL: the claim as one statement. `picked` walks the due rows of the
 * running sends through `recipients_due` in (send, id) order (so each send in
 * id order, each send's rows in id order), `FOR UPDATE SKIP LOCKED`, up to the
 * limit, and looks at each row's reader; the two updates then mark each picked
 * row once, by primary key (`= any(array(…))`: an array the planner cannot
 * size, so it never scans the table for it).
 *
 * Only the walk of `recipients_due` reads no more than the batch, and the
 * planner must not be left another way: without statistics (a ledger written
 * seconds ago, or a server without autovacuum) it chose a bitmap scan of every
 * due row of the send, sorted (150 ms a claim with 250,000 rows left, a send
 * quadratic in its list), and with statistics taken when every row was pending
 * it walked the primary key through every row already sent (120 to 230 ms
 * half way through 500,000), or read every due row through recipients_claim
 * and sorted them. Ordering by (send, id) with the sends as an array leaves
 * the primary key out (it cannot give that order), and for this one
 * transaction bitmap scans are off and sorts cost more than any walk (the
 * batch is sorted here, not by the server). `ledger-claim.test.ts` counts the
 * rows a claim reads half way through a send, with and without statistics.
 */
async function claimInOneStatement(store: Store, o: ClaimRequest): Promise<ClaimedRow[]> {
  const onlySend = o.sendId === undefined ? sql`` : sql`and id = ${o.sendId}`;
  return inTransaction(store, async (tx) => {
    await sql`select set_config('enable_bitmapscan', 'off', true), set_config('enable_sort', 'off', true)`.execute(tx.db);
    const { rows } = await sql<ClaimedRow>`
      with picked as (
        select r.id, s.publication_id, ${readerGone('r', 's')} as gone
        from (
          select id, send_id, subscriber_id
          from recipients
          where send_id = any(array(select id from sends where status = 'running' ${onlySend}))
            and state in ('pending', 'sending')
            and ((state = 'pending' and next_attempt_at <= ${o.now}) or (state = 'sending' and lease_expires_at < ${o.now}))
          order by send_id, id
          limit ${o.limit}
          for update skip locked
        ) as r
        inner join sends as s on s.id = r.send_id
      ),
      claimed as (
        update recipients
        set state = 'sending', lease_owner = ${o.workerId}, lease_expires_at = ${o.now + o.leaseMs}, attempts = attempts + 1, updated_at = ${o.now}
        where id = any(array(select id from picked where not gone))
        returning id, send_id, subscriber_id, email, attempts
      ),
      suppressed as (
        update recipients
        set state = 'suppressed', lease_owner = null, lease_expires_at = null, attempts = attempts + 1, updated_at = ${o.now}
        where id = any(array(select id from picked where gone))
      )
      select c.id, c.send_id as "sendId", p.publication_id as "publicationId", c.subscriber_id as "subscriberId", c.email, c.attempts
      from claimed as c
      inner join picked as p on p.id = c.id`.execute(tx.db);
    return rows.sort((a, b) => a.id - b.id);
  });
}

/** SQLite: the running sends, each send's first due rows, the readers gone, the publications; in one write transaction. */
async function claimSendBySend(store: Store, o: ClaimRequest): Promise<ClaimedRow[]> {
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
      const pick = tx.db
        .selectFrom('recipients as r')
        .select('r.id')
        .where('r.send_id', '=', sendId)
        // The partial index's own condition, in literals: SQLite proves a
        // partial index usable only from constants, and with parameters it
        // walked recipients_claim and sorted every row left at each claim
        // (24 µs a row over a send of 20,000; now 3).
        .where('r.state', 'in', [sql.lit<'pending'>('pending'), sql.lit<'sending'>('sending')])
        .where((eb) =>
          eb.or([
            eb.and([eb('r.state', '=', 'pending'), eb('r.next_attempt_at', '<=', o.now)]),
            eb.and([eb('r.state', '=', 'sending'), eb('r.lease_expires_at', '<', o.now)]),
          ]),
        )
        .orderBy('r.id')
        .limit(limit);
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
