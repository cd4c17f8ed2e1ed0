// The delivery ledger over SQLite or PostgreSQL: claims with a lease, lease
// renewal, results, completion. Implements delivery's `Ledger`.
//
// Claiming: PostgreSQL (`supportsSkipLocked`) selects the rows `FOR UPDATE
// SKIP LOCKED`, so that many workers claim disjoint batches side by side
// without waiting for each other. SQLite has one writer at a time: the same
// claim runs inside a `BEGIN IMMEDIATE` transaction, which is all the
// exclusion it needs. Both mark the rows `sending` under the worker's lease in
// the same statement that picks them.
import { sql, type Kysely } from 'kysely';
import type { ClaimOptions, ClaimedRecipient, Ledger, Outcome, SendForDelivery } from '../delivery/ledger.ts';
import type { MessageTemplate } from '../delivery/message-template.ts';
import type { Store } from './db.ts';
import type { Actor } from './edition-workflow.ts';
import { transitionEdition } from './editions.ts';
import { recipientCounts, type DeliveryDatabase } from './sends.ts';
import { retryingWhileDown } from './outages.ts';
import { inTransaction } from './transaction.ts';

const SYSTEM: Actor = { kind: 'system', name: 'delivery' };

function db(store: Store): Kysely<DeliveryDatabase> {
  return store.db as unknown as Kysely<DeliveryDatabase>;
}

/**
 * The ledger of a store. What a worker does with a batch in hand is retried
 * while the database is unreachable (outages.ts): each may run twice, being a
 * read or an update guarded by the row's state and lease owner (a second run
 * finds nothing left to change). So a worker that submitted a batch during a
 * PostgreSQL restart records its results once the server is back, instead of
 * losing them and leaving its rows to be sent again. The claim is not: with
 * nothing in hand, the caller's loop waits the backoff itself, and can stop
 * meanwhile (rows claimed by a claim whose answer was lost wait out their
 * lease, unsent).
 */
export function storeLedger(store: Store): Ledger {
  return {
    ...retryingWhileDown(store, withoutClaim(store)),
    claim: (options) => claim(store, options),
  };
}

function withoutClaim(store: Store): Omit<Ledger, 'claim'> {
  return {
    renew: (workerId, ids, until) => renew(store, workerId, ids, until),
    record: (workerId, outcomes, now) => record(store, workerId, outcomes, now),
    release: (workerId, ids, now) => release(store, workerId, ids, now),
    sendForDelivery: (sendId) => sendForDelivery(store, sendId),
    finishIfComplete: (sendId, now) => finishIfComplete(store, sendId, now),
    pause: (sendId, reason, now) => pauseSend(store, sendId, reason, now),
    counts: async (sendId) => (await recipientCounts(store, sendId)).counts,
    runningAmong: (sendIds) => runningAmong(store, sendIds),
  };
}

async function runningAmong(store: Store, sendIds: readonly number[]): Promise<number[]> {
  if (sendIds.length === 0) return [];
  const rows = await db(store).selectFrom('sends').select('id').where('id', 'in', [...sendIds]).where('status', '=', 'running').execute();
  return rows.map((r) => r.id);
}

async function claim(store: Store, o: ClaimOptions): Promise<ClaimedRecipient[]> {
  return inTransaction(store, async (tx) => {
    let pick = tx.db
      .selectFrom('recipients as r')
      .select('r.id')
      .where('r.send_id', 'in', (eb) => {
        let running = eb.selectFrom('sends').select('sends.id').where('sends.status', '=', 'running');
        if (o.sendId !== undefined) running = running.where('sends.id', '=', o.sendId);
        return running;
      })
      .where((eb) =>
        eb.or([
          eb.and([eb('r.state', '=', 'pending'), eb('r.next_attempt_at', '<=', o.now)]),
          eb.and([eb('r.state', '=', 'sending'), eb('r.lease_expires_at', '<', o.now)]),
        ]),
      )
      .orderBy('r.id')
      .limit(o.limit);
    if (tx.capabilities.supportsSkipLocked) pick = pick.forUpdate().skipLocked();
    const claimed = await tx.db
      .updateTable('recipients')
      .set((eb) => ({
        state: 'sending',
        lease_owner: o.workerId,
        lease_expires_at: o.now + o.leaseMs,
        attempts: eb('attempts', '+', 1),
        updated_at: o.now,
      }))
      .where('id', 'in', pick)
      .returning(['id', 'send_id', 'subscriber_id', 'email', 'attempts'])
      .execute();
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
    const sendIds = [...new Set(claimed.map((c) => c.send_id))];
    const publications = new Map(
      (await tx.db.selectFrom('sends').select(['id', 'publication_id']).where('id', 'in', sendIds).execute()).map((s) => [s.id, s.publication_id]),
    );
    return claimed
      .filter((c) => !goneIds.has(c.id))
      .sort((a, b) => a.id - b.id)
      .map((c) => ({
        id: c.id,
        sendId: c.send_id,
        publicationId: publications.get(c.send_id)!,
        subscriberId: c.subscriber_id,
        email: c.email,
        attempts: c.attempts,
      }));
  });
}

async function renew(store: Store, workerId: string, ids: readonly number[], until: number): Promise<number[]> {
  if (ids.length === 0) return [];
  // An expired lease not yet claimed by anyone is still this worker's to
  // renew: a claim and this update take the same row lock, so exactly one wins.
  const r = await db(store)
    .updateTable('recipients')
    .set({ lease_expires_at: until })
    .where('id', 'in', [...ids])
    .where('state', '=', 'sending')
    .where('lease_owner', '=', workerId)
    .returning('id')
    .execute();
  return r.map((row) => row.id);
}

async function release(store: Store, workerId: string, ids: readonly number[], now: number): Promise<void> {
  if (ids.length === 0) return;
  await db(store)
    .updateTable('recipients')
    .set((eb) => ({ state: 'pending', lease_owner: null, lease_expires_at: null, next_attempt_at: now, attempts: eb('attempts', '-', 1), updated_at: now }))
    .where('id', 'in', [...ids])
    .where('state', '=', 'sending')
    .where('lease_owner', '=', workerId)
    .execute();
}

async function record(store: Store, workerId: string, outcomes: readonly Outcome[], now: number): Promise<void> {
  if (outcomes.length === 0) return;
  await inTransaction(store, async (tx) => {
    // One UPDATE … FROM (VALUES …) per chunk rather than one statement per row:
    // a batch's results land together, at a fraction of the cost.
    for (let i = 0; i < outcomes.length; i += RECORD_CHUNK) {
      const rows = outcomes.slice(i, i + RECORD_CHUNK).map(
        (o) =>
          sql`(cast(${o.id} as bigint), ${o.state === 'retry' ? 'pending' : o.state}, ${o.messageId}, cast(${o.code} as integer), ${o.response.slice(0, 1000)}, cast(${o.state === 'retry' ? o.nextAttemptAt : null} as bigint))`,
      );
      // Only a row still in flight under this worker's lease takes a result:
      // when the lease expired and another worker claimed the row, that
      // worker's result is the one kept, never overwritten by a late one.
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
        from (
          select column1 as id, column2 as state, column3 as message_id, column4 as relay_code, column5 as relay_response, column6 as next_attempt_at
          from (values ${sql.join(rows)}) as t
        ) as v
        where recipients.id = v.id and recipients.state = 'sending' and recipients.lease_owner = ${workerId}`.execute(tx.db);
    }
  });
}

/** Rows per statement when recording (6 parameters each, well under both backends' limits). */
const RECORD_CHUNK = 500;

async function sendForDelivery(store: Store, sendId: number): Promise<SendForDelivery | undefined> {
  const row = await db(store)
    .selectFrom('sends as s')
    .innerJoin('send_messages as m', 'm.send_id', 's.id')
    .select(['s.id', 's.publication_id', 's.kind', 's.status', 's.started_at', 'm.template'])
    .where('s.id', '=', sendId)
    .executeTakeFirst();
  if (!row) return undefined;
  return {
    id: row.id,
    publicationId: row.publication_id,
    kind: row.kind,
    status: row.status,
    startedAt: row.started_at ?? 0,
    template: JSON.parse(row.template) as MessageTemplate,
  };
}

/** Marks a running send done when every row has a final state; moves a list send's edition to sent. */
export async function finishIfComplete(store: Store, sendId: number, now: number): Promise<boolean> {
  return inTransaction(store, async (tx) => {
    const r = await tx.db
      .updateTable('sends')
      .set({ status: 'done', finished_at: now, status_reason: null })
      .where('id', '=', sendId)
      .where('status', '=', 'running')
      .where((eb) =>
        eb.not(
          eb.exists(
            eb.selectFrom('recipients').select('id').where('send_id', '=', sendId).where('state', 'in', ['pending', 'sending']),
          ),
        ),
      )
      .executeTakeFirst();
    if (Number(r.numUpdatedRows) === 0) return false;
    const send = await tx.db.selectFrom('sends').select(['kind', 'edition_id']).where('id', '=', sendId).executeTakeFirstOrThrow();
    if (send.kind === 'list') {
      const edition = await tx.db.selectFrom('editions').select('status').where('id', '=', send.edition_id).executeTakeFirst();
      if (edition?.status === 'sending') await transitionEdition(tx, send.edition_id, 'sent', SYSTEM, { clock: { now: () => now } });
    }
    return true;
  });
}

/** Pauses a running send with a reason for the newsroom; false when it was not running. */
export async function pauseSend(store: Store, sendId: number, reason: string, _now: number): Promise<boolean> {
  const r = await store.db
    .updateTable('sends')
    .set({ status: 'paused', status_reason: reason })
    .where('id', '=', sendId)
    .where('status', '=', 'running')
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
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
