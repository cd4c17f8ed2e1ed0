// The newsroom's hand on a send: the guarded updates behind cancel and
// unschedule, and the list send of editions (what the dashboard shows as
// « goes out … »). Which of them a send allows is delivery's rule
// (delivery/send-controls.ts); each update here checks the state it starts
// from, so that two people (or a worker) racing change a send once.
import type { Store } from './db.ts';
import type { SendRow, SendStatus } from './schema.ts';

/** Moves a send from one of `from` to cancelled with the reason; false when it was in none of them. */
export async function markCancelled(store: Store, sendId: number, from: readonly SendStatus[], reason: string, now: number): Promise<boolean> {
  const r = await store.db
    .updateTable('sends')
    .set({ status: 'cancelled', status_reason: reason, finished_at: now })
    .where('id', '=', sendId)
    .where('status', 'in', [...from])
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

/**
 * The rows of a send still waiting (pending) become failed with `response`:
 * not mailed, and a resend sends them. Rows a worker holds (sending) finish
 * their attempt and keep its result. Returns how many changed.
 */
export async function failWaitingRows(store: Store, sendId: number, response: string, now: number): Promise<number> {
  const r = await store.db
    .updateTable('recipients')
    .set({ state: 'failed', relay_code: null, relay_response: response, lease_owner: null, lease_expires_at: null, updated_at: now })
    .where('send_id', '=', sendId)
    .where('state', '=', 'pending')
    .executeTakeFirst();
  return Number(r.numUpdatedRows);
}

/**
 * Records a list send that will not happen (cancelled from the start): the
 * scheduler sends an approved edition only when it has no list send, so this
 * row unschedules it; a later `send` takes the same row up again. Undefined
 * when the edition has a list send already.
 */
export async function insertCancelledListSend(
  store: Store,
  input: { editionId: number; publicationId: number; scheduledFor: number; reason: string; createdBy: string; now: number },
): Promise<SendRow | undefined> {
  const existing = await store.db.selectFrom('sends').select('id').where('edition_id', '=', input.editionId).where('kind', '=', 'list').executeTakeFirst();
  if (existing) return undefined;
  return store.db
    .insertInto('sends')
    .values({
      edition_id: input.editionId,
      publication_id: input.publicationId,
      kind: 'list',
      status: 'cancelled',
      parent_send_id: null,
      scheduled_for: input.scheduledFor,
      status_reason: input.reason,
      created_by: input.createdBy,
      created_at: input.now,
    })
    .returningAll()
    .executeTakeFirst();
}

/** The list send of each of these editions that has one. */
export async function listSendsOf(store: Store, editionIds: readonly number[]): Promise<Map<number, SendRow>> {
  const found = new Map<number, SendRow>();
  const ids = [...new Set(editionIds)];
  for (let i = 0; i < ids.length; i += 500) {
    const rows = await store.db.selectFrom('sends').selectAll().where('kind', '=', 'list').where('edition_id', 'in', ids.slice(i, i + 500)).execute();
    for (const row of rows) found.set(row.edition_id, row);
  }
  return found;
}
