// What the newsroom may do to a send by hand, and doing it: pause a running
// send, resume a paused one, cancel one that has not ended, and unschedule an
// approved edition. Workers see a pause or a cancel through their send watch
// (send-watch.ts) within a second and stop; a cancel fails the rows still
// waiting (a resend can send them), and a list send that had started marks
// its edition sent: some readers have it, and the public site shows it.
import type { Clock } from '../clock.ts';
import type { Store } from '../store/db.ts';
import type { SendRow, SendStatus } from '../store/schema.ts';
import { recordAudit } from '../store/audit-log.ts';
import { getEdition, transitionEdition } from '../store/editions.ts';
import { getPublication } from '../store/publications.ts';
import { pauseSend } from '../store/ledger.ts';
import { getSend, resumeSend } from '../store/sends.ts';
import { failWaitingRows, insertCancelledListSend, listSendsOf, markCancelled } from '../store/send-controls.ts';
import { inTransaction } from '../store/transaction.ts';
import { goesOutAt } from './send-time.ts';

export const SEND_CONTROLS = ['pause', 'resume', 'cancel'] as const;
export type SendControl = (typeof SEND_CONTROLS)[number];

/** The statuses each control starts from. */
export const CONTROL_FROM: Record<SendControl, readonly SendStatus[]> = {
  pause: ['running'],
  resume: ['paused'],
  cancel: ['scheduled', 'running', 'paused'],
};

/** The controls a send in `status` allows. */
export function controlsFor(status: SendStatus): SendControl[] {
  return SEND_CONTROLS.filter((c) => CONTROL_FROM[c].includes(status));
}

/** A control the send's state does not allow (or a send that does not exist). */
export class SendControlRefused extends Error {
  constructor(
    readonly code: 'send-not-found' | 'wrong-state' | 'nothing-scheduled',
    message: string,
  ) {
    super(message);
  }
}

interface ControlDeps {
  store: Store;
  clock: Clock;
}

/** Pauses, resumes or cancels a send for a team member (`actor`, an address); returns the send after. */
export async function controlSend(deps: ControlDeps, sendId: number, control: SendControl, actor: string): Promise<SendRow> {
  const now = deps.clock.now();
  const send = await getSend(deps.store, sendId);
  if (!send) throw new SendControlRefused('send-not-found', `no send ${sendId}`);
  const refused = () =>
    new SendControlRefused('wrong-state', `send ${sendId} is ${send.status}: only a ${CONTROL_FROM[control].join(' or ')} send can be ${control === 'pause' ? 'paused' : control === 'resume' ? 'resumed' : 'cancelled'}`);
  await inTransaction(deps.store, async (tx) => {
    let changed: boolean;
    if (control === 'pause') changed = await pauseSend(tx, sendId, `paused by ${actor}; resume it to go on`, now);
    else if (control === 'resume') changed = await resumeSend(tx, sendId);
    else changed = await cancel(tx, send, actor, now);
    if (!changed) throw refused();
    await recordAudit(tx, { actor, action: `send.${control}`, subjectType: 'send', subjectId: sendId }, now);
  });
  return (await getSend(deps.store, sendId))!;
}

// The send as read before the transaction says what the cancel means; the
// guarded update checks it still holds (a worker may have finished it since).
async function cancel(tx: Store, send: SendRow, actor: string, now: number): Promise<boolean> {
  const started = send.status !== 'scheduled';
  const reason = started ? `cancelled by ${actor}; the recipients not mailed yet are failed and can be resent` : `unscheduled by ${actor}`;
  if (!(await markCancelled(tx, send.id, [send.status], reason, now))) return false;
  if (send.kind !== 'list') {
    if (started) await failWaitingRows(tx, send.id, 'not sent: the send was cancelled', now);
    return true;
  }
  const edition = await getEdition(tx, send.edition_id);
  if (!started) {
    if (edition?.status === 'scheduled') await transitionEdition(tx, send.edition_id, 'approved', { kind: 'person', email: actor }, { clock: { now: () => now } });
    return true;
  }
  await failWaitingRows(tx, send.id, 'not sent: the send was cancelled', now);
  if (edition?.status === 'sending') await transitionEdition(tx, send.edition_id, 'sent', { kind: 'system', name: 'delivery' }, { clock: { now: () => now } });
  return true;
}

/**
 * Unschedules an edition: its scheduled list send is cancelled and the
 * edition goes back to approved; an approved edition the scheduler would send
 * at the publication's time gets a cancelled list send, which keeps the
 * scheduler from it (sending or scheduling it again takes that send up).
 */
export async function unscheduleEdition(deps: ControlDeps, editionId: number, actor: string): Promise<void> {
  const now = deps.clock.now();
  const edition = await getEdition(deps.store, editionId);
  if (!edition) throw new SendControlRefused('nothing-scheduled', `no edition ${editionId}`);
  const publication = (await getPublication(deps.store, edition.publicationId))!.settings;
  const send = (await listSendsOf(deps.store, [editionId])).get(editionId);
  const at = goesOutAt(edition, publication, send, now);
  if (at === undefined) throw new SendControlRefused('nothing-scheduled', `the edition of ${edition.date} is ${edition.status} and not scheduled to go out`);
  if (send) {
    await controlSend(deps, send.id, 'cancel', actor);
    return;
  }
  await inTransaction(deps.store, async (tx) => {
    const made = await insertCancelledListSend(tx, {
      editionId,
      publicationId: edition.publicationId,
      scheduledFor: at,
      reason: `unscheduled by ${actor}`,
      createdBy: actor,
      now,
    });
    if (!made) throw new SendControlRefused('wrong-state', `the edition of ${edition.date} got a send meanwhile: look at it again`);
    await recordAudit(tx, { actor, action: 'send.unschedule', subjectType: 'send', subjectId: made.id }, now);
  });
}
