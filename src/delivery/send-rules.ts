// The rules of creating a send: a list send only for an approved edition and
// only once per edition (a missed or cancelled one is taken up again, the same
// row), a test send in any state to given addresses only, a resend only of
// what failed in a send that has ended. Each is one transaction over the
// store's queries (store/sends.ts); the edition follows its send through the
// workflow as the platform (`system`), never by hand.
import type { Actor } from '../edition/workflow.ts';
import type { Store } from '../store/db.ts';
import { getEdition, transitionEdition } from '../store/editions.ts';
import type { SendRow } from '../store/schema.ts';
import {
  copyFailedRecipients,
  getSend,
  insertAddressRecipients,
  insertListSendOnce,
  insertSend,
  listSendOf,
  rescheduleSend,
} from '../store/sends.ts';
import { inTransaction } from '../store/transaction.ts';

/** The platform, as the actor that moves an edition along with its send. */
export const DELIVERY: Actor = { kind: 'system', name: 'delivery' };

/** A clock stopped at `now`, for the transitions a send makes at the time it was asked. */
export const at = (now: number) => ({ clock: { now: () => now } });

/** Why a send cannot be created or started; the CLI and the dashboard show the message. */
export class SendRefused extends Error {
  constructor(
    readonly code: 'edition-not-found' | 'not-approved' | 'already-sent' | 'no-failed-rows' | 'no-addresses' | 'send-not-found' | 'wrong-state',
    message: string,
  ) {
    super(message);
  }
}

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
    const edition = await getEdition(tx, input.editionId);
    if (!edition) throw new SendRefused('edition-not-found', `no edition ${input.editionId}`);
    const existing = await listSendOf(tx, edition.id);
    if (existing && existing.status !== 'missed' && existing.status !== 'cancelled') {
      throw new SendRefused(
        'already-sent',
        `edition ${edition.id} already has send ${existing.id} (${existing.status}); only the rows that failed can be sent again, as a resend`,
      );
    }
    if (edition.status !== 'approved') {
      throw new SendRefused('not-approved', `edition ${edition.id} is ${edition.status}: only an approved edition can be sent to the list (or use --test)`);
    }
    await transitionEdition(tx, edition.id, 'scheduled', DELIVERY, at(input.now));
    if (existing) return rescheduleSend(tx, existing.id, { scheduledFor: input.scheduledFor, createdBy: input.createdBy });
    const send = await insertListSendOnce(tx, {
      edition_id: edition.id,
      publication_id: edition.publicationId,
      status: 'scheduled',
      parent_send_id: null,
      scheduled_for: input.scheduledFor,
      created_by: input.createdBy,
      created_at: input.now,
    });
    if (!send) throw new SendRefused('already-sent', `edition ${edition.id} was just sent by someone else`);
    return send;
  });
}

/** Records that an edition's scheduled time passed beyond the grace period while no process sent it; undefined when another process recorded it, or sent it. */
export async function recordMissedSend(
  store: Store,
  input: { editionId: number; publicationId: number; scheduledFor: number; reason: string; now: number },
): Promise<SendRow | undefined> {
  return insertListSendOnce(store, {
    edition_id: input.editionId,
    publication_id: input.publicationId,
    status: 'missed',
    parent_send_id: null,
    scheduled_for: input.scheduledFor,
    status_reason: input.reason,
    created_by: 'system:scheduler',
    created_at: input.now,
  });
}

/** Creates a test send of an edition (any state) to the given addresses only. */
export async function createTestSend(
  store: Store,
  input: { editionId: number; addresses: readonly string[]; createdBy: string; now: number },
): Promise<SendRow> {
  const addresses = [...new Set(input.addresses)];
  if (addresses.length === 0) throw new SendRefused('no-addresses', 'a test send needs at least one address');
  return inTransaction(store, async (tx) => {
    const edition = await getEdition(tx, input.editionId);
    if (!edition) throw new SendRefused('edition-not-found', `no edition ${input.editionId}`);
    const send = await insertSend(tx, {
      edition_id: edition.id,
      publication_id: edition.publicationId,
      kind: 'test',
      status: 'scheduled',
      parent_send_id: null,
      scheduled_for: input.now,
      created_by: input.createdBy,
      created_at: input.now,
    });
    await insertAddressRecipients(tx, send.id, addresses, input.now);
    return send;
  });
}

/** Creates a resend of the rows of `parentSendId` that failed (not those that bounced); the parent must have ended. */
export async function createResend(store: Store, input: { parentSendId: number; createdBy: string; now: number }): Promise<SendRow> {
  return inTransaction(store, async (tx) => {
    const parent = await getSend(tx, input.parentSendId);
    if (!parent) throw new SendRefused('send-not-found', `no send ${input.parentSendId}`);
    if (parent.status === 'running' || parent.status === 'scheduled') {
      throw new SendRefused('wrong-state', `send ${parent.id} is ${parent.status}: wait for it to end before resending what failed`);
    }
    const send = await insertSend(tx, {
      edition_id: parent.edition_id,
      publication_id: parent.publication_id,
      kind: 'resend',
      status: 'scheduled',
      parent_send_id: parent.id,
      scheduled_for: input.now,
      created_by: input.createdBy,
      created_at: input.now,
    });
    if ((await copyFailedRecipients(tx, parent.id, send.id, input.now)) === 0) {
      throw new SendRefused('no-failed-rows', `send ${parent.id} has no failed recipients to send again`);
    }
    return send;
  });
}
