// What the inbound mail handler reads and writes on the delivery ledger: the
// row a verified return path names, and a `sent` row turned `bounced` when the
// recipient's server refused it after our relay had accepted it.
import type { Store } from './db.ts';
import type { RecipientState, SendKind } from './schema.ts';

export interface BouncedRow {
  id: number;
  sendId: number;
  publicationId: number;
  kind: SendKind;
  state: RecipientState;
  /** Null for a test send's address. */
  subscriberId: number | null;
  email: string;
  /** The reader was erased: the address is gone, and suppressed everywhere already. */
  erased: boolean;
}

/** The ledger row `recipientId` of send `sendId`, or undefined when the pair does not exist. */
export async function ledgerRowOf(store: Store, sendId: number, recipientId: number): Promise<BouncedRow | undefined> {
  const row = await store.db
    .selectFrom('recipients as r')
    .innerJoin('sends as s', 's.id', 'r.send_id')
    .leftJoin('subscribers as p', 'p.id', 'r.subscriber_id')
    .select(['r.id', 'r.send_id', 's.publication_id', 's.kind', 'r.state', 'r.subscriber_id', 'r.email', 'p.erased_at'])
    .where('r.id', '=', recipientId)
    .where('r.send_id', '=', sendId)
    .executeTakeFirst();
  if (!row) return undefined;
  return {
    id: row.id,
    sendId: row.send_id,
    publicationId: row.publication_id,
    kind: row.kind,
    state: row.state,
    subscriberId: row.subscriber_id,
    email: row.email,
    erased: row.erased_at !== null && row.erased_at !== undefined,
  };
}

/**
 * A `sent` row becomes `bounced`, with the remote server's answer in place of
 * the relay's. Other states are left alone: a row still in flight belongs to
 * its worker, and a final one keeps its result. True when the row changed.
 */
export async function markSentBounced(store: Store, recipientId: number, answer: { code: number | null; response: string }, now: number): Promise<boolean> {
  const r = await store.db
    .updateTable('recipients')
    .set({ state: 'bounced', relay_code: answer.code, relay_response: answer.response.slice(0, 1000), updated_at: now })
    .where('id', '=', recipientId)
    .where('state', '=', 'sent')
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}
