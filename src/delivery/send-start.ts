// The start and the end of a send, and the edition that follows it: a list
// send starts only while its edition is still scheduled (otherwise it is
// cancelled, saying why), moves the edition to sending, and to sent when its
// last row has a final state. Each is one transaction over the store's guarded
// updates (store/sends.ts, store/ledger.ts), so any process may try and one wins.
import type { Store } from '../store/db.ts';
import { getEdition, transitionEdition } from '../store/editions.ts';
import { markDoneIfComplete } from '../store/ledger.ts';
import type { SendRow } from '../store/schema.ts';
import { cancelScheduledSend, countRecipients, finishSend, getSend, markSendRunning, saveSendMessage, snapshotListRecipients } from '../store/sends.ts';
import { inTransaction } from '../store/transaction.ts';
import { at, DELIVERY } from './send-rules.ts';

/** The reason a send that started with no recipient gives (the CLI and the dashboard show it). */
export const EMPTY_LIST_REASON = 'the list was empty: no active, unsuppressed subscriber when the send started';

/**
 * Starts a scheduled send exactly once: stores its pre-encoded message,
 * snapshots every active, unsuppressed subscriber of the publication into the
 * ledger in one INSERT … SELECT (list sends), and moves the edition to
 * sending. A send with no recipient (an empty list) is done at once, its
 * edition sent. Returns the number of recipients, or undefined when another
 * process started (or cancelled) it first. A message still being rendered
 * (on a render thread) is awaited after the snapshot, in the same
 * transaction: all of it lands, or none.
 */
export async function startSend(store: Store, sendId: number, template: string | Promise<string>, now: number): Promise<number | undefined> {
  return inTransaction(store, async (tx) => {
    const send = await getSend(tx, sendId);
    if (send?.kind === 'list') {
      // The edition left `scheduled` since: unscheduled by an editor (back to
      // approved), or a new version saved (back to ready): what was approved
      // is no longer what would go out, or no longer wanted. The send does not start.
      const edition = await getEdition(tx, send.edition_id);
      if (edition && edition.status !== 'scheduled') {
        const why = edition.status === 'approved' ? 'the edition was unscheduled' : `the edition went back to ${edition.status}`;
        await cancelScheduledSend(tx, sendId, `cancelled: ${why} after the send was scheduled; send it again when it is wanted`);
        return undefined;
      }
    }
    const started = await markSendRunning(tx, sendId, now);
    if (!started) return undefined;
    // The snapshot says how many rows it wrote: no count over a million rows after it.
    let n: number;
    if (started.kind === 'list') {
      n = await snapshotListRecipients(tx, started, now);
      await editionFollows(tx, started, 'scheduled', 'sending', now);
    } else n = await countRecipients(tx, sendId);
    await saveSendMessage(tx, sendId, await template, now);
    // Nobody to mail: no worker would ever claim a row, so nothing would ever
    // find the send complete. It ends here, done, saying why it mailed no one.
    if (n === 0) {
      await finishSend(tx, started.id, now, EMPTY_LIST_REASON);
      if (started.kind === 'list') await editionFollows(tx, started, 'sending', 'sent', now);
    }
    return n;
  });
}

/** Marks a running send done when every row has a final state, and moves a list send's edition to sent; true when this call did it. */
export async function finishIfComplete(store: Store, sendId: number, now: number): Promise<boolean> {
  return inTransaction(store, async (tx) => {
    if (!(await markDoneIfComplete(tx, sendId, now))) return false;
    const send = await getSend(tx, sendId);
    if (send?.kind === 'list') await editionFollows(tx, send, 'sending', 'sent', now);
    return true;
  });
}

// The edition of a list send moves with it, from the state the send expects
// (an edition an editor moved meanwhile stays where it is).
async function editionFollows(tx: Store, send: SendRow, from: 'scheduled' | 'sending', to: 'sending' | 'sent', now: number): Promise<void> {
  const edition = await getEdition(tx, send.edition_id);
  if (edition?.status === from) await transitionEdition(tx, send.edition_id, to, DELIVERY, at(now));
}
