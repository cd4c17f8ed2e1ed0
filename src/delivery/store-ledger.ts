// Delivery's Ledger and Recheck over the store's ledger queries
// (store/ledger.ts, store/ledger-recheck.ts): the store answers in its own
// rows, this adapts them to what the worker speaks (the parsed
// MessageTemplate, `retry` as a pending row due later) and adds delivery's
// rule that a finished list send moves its edition to sent.
//
// What a worker does with a batch in hand is retried while the database is
// unreachable (store/outages.ts): each may run twice, being a read or an
// update guarded by the row's state and lease owner (a second run finds
// nothing left to change). So a worker that submitted a batch during a
// PostgreSQL restart records its results once the server is back, instead of
// losing them and leaving its rows to be sent again. The claim is not: with
// nothing in hand, the caller's loop waits the backoff itself, and can stop
// meanwhile (rows claimed by a claim whose answer was lost wait out their
// lease, unsent).
import type { Store } from '../store/db.ts';
import { claimRecipients } from '../store/ledger-claim.ts';
import { hasRowsToDeliver, pauseSend, recordResults, releaseRecipients, renewLeases, runningAmong, sendWithMessage, type ResultRow } from '../store/ledger.ts';
import { goneAmong, setSuppressed } from '../store/ledger-recheck.ts';
import { retryingWhileDown } from '../store/outages.ts';
import { recipientCounts } from '../store/sends.ts';
import type { Ledger, Outcome, SendForDelivery } from './ledger.ts';
import type { MessageTemplate } from './message-template.ts';
import type { Recheck } from './readers-who-left.ts';
import { finishIfComplete } from './send-start.ts';

/** The ledger of a store. */
export function storeLedger(store: Store): Ledger {
  return {
    ...retryingWhileDown(store, withoutClaim(store)),
    claim: (options) => claimRecipients(store, options),
  };
}

/** The recheck of a store; both may run twice, so both are retried while the database is unreachable. */
export function storeRecheck(store: Store): Recheck {
  return retryingWhileDown(store, {
    goneAmong: (ids) => goneAmong(store, ids),
    setSuppressed: (workerId, ids, now) => setSuppressed(store, workerId, ids, now),
  } satisfies Recheck);
}

function withoutClaim(store: Store): Omit<Ledger, 'claim'> {
  return {
    renew: (workerId, ids, until) => renewLeases(store, workerId, ids, until),
    record: (workerId, outcomes, now) => recordResults(store, workerId, outcomes.map(resultRow), now),
    release: (workerId, ids, now) => releaseRecipients(store, workerId, ids, now),
    sendForDelivery: (sendId) => sendForDelivery(store, sendId),
    // Most batches end with rows still to deliver: one read, where ending the send is a transaction of three round trips.
    finishIfComplete: async (sendId, now) => !(await hasRowsToDeliver(store, sendId)) && finishIfComplete(store, sendId, now),
    pause: (sendId, reason, now) => pauseSend(store, sendId, reason, now),
    counts: async (sendId) => (await recipientCounts(store, sendId)).counts,
    runningAmong: (sendIds) => runningAmong(store, sendIds),
  };
}

function resultRow(o: Outcome): ResultRow {
  return {
    id: o.id,
    state: o.state === 'retry' ? 'pending' : o.state,
    message_id: o.messageId,
    relay_code: o.code,
    relay_response: o.response,
    next_attempt_at: o.state === 'retry' ? o.nextAttemptAt : null,
  };
}

async function sendForDelivery(store: Store, sendId: number): Promise<SendForDelivery | undefined> {
  const row = await sendWithMessage(store, sendId);
  return row && { ...row, startedAt: row.startedAt ?? 0, template: JSON.parse(row.template) as MessageTemplate };
}
