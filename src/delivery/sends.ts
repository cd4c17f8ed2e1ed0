// Creating and starting sends: the newsroom's `send` (now, at a time, or to
// test addresses), a resend of what failed, and the start of sends whose time
// has come. Starting a send builds its message once and snapshots its
// recipients (send-start.ts) in one transaction; any process may try, one wins.
import type { Clock } from '../clock.ts';
import type { Store } from '../store/db.ts';
import type { SendRow } from '../store/schema.ts';
import { dueSends, getSend, markMissed } from '../store/sends.ts';
import { createListSend, createResend, createTestSend } from './send-rules.ts';
import { startSend } from './send-start.ts';
import { renderSendMessage } from './message-render.ts';
import { sendMessageInput, type RenderMessage } from './send-message.ts';
import { checkTester, DEFAULT_TEST_SENDS_PER_HOUR, testAddresses, type Tester } from './test-send-rules.ts';
import { inTransaction } from '../store/transaction.ts';
import { getEdition } from '../store/editions.ts';

export interface SendDeps {
  store: Store;
  clock: Clock;
  publicUrl: string;
  mailDomain: string;
  /** Where a send's message is rendered: a render thread the caller started (send-render.ts); by default on the event loop. */
  render?: RenderMessage;
}

export interface SendRequest {
  editionId: number;
  /** When to send (ms); absent or past: now. */
  at?: number;
  /** Addresses of a test send; the edition may then be in any state. Each is checked as a subscriber's address. */
  test?: readonly string[];
  /**
   * The team member asking for a test send, when one is known (the
   * dashboard): their tests are limited per hour and, for an author, to the
   * team's addresses (test-send-rules.ts). The send is recorded as theirs.
   */
  tester?: Tester;
  /** Test messages a person may ask for in an hour (TEST_SENDS_PER_HOUR). */
  testsPerHour?: number;
  /** Who asked (a person's address, `system:scheduler`…). */
  createdBy: string;
}

/** Creates a send and, when its time is now, starts it; returns the send as it stands. */
export async function requestSend(deps: SendDeps, request: SendRequest): Promise<SendRow> {
  const now = deps.clock.now();
  const send = request.test
    ? await createCheckedTestSend(deps.store, request, testAddresses(request.test), now)
    : await createListSend(deps.store, { editionId: request.editionId, scheduledFor: Math.max(request.at ?? now, now), createdBy: request.createdBy, now });
  if (send.scheduled_for <= now) await start(deps, send);
  return (await getSend(deps.store, send.id))!;
}

// The rules and the insert in one transaction: the hourly count sees every test made before it.
async function createCheckedTestSend(store: Store, request: SendRequest, addresses: string[], now: number): Promise<SendRow> {
  const { tester } = request;
  if (!tester) return createTestSend(store, { editionId: request.editionId, addresses, createdBy: request.createdBy, now });
  return inTransaction(store, async (tx) => {
    const edition = await getEdition(tx, request.editionId);
    if (edition) {
      const perHour = request.testsPerHour ?? DEFAULT_TEST_SENDS_PER_HOUR;
      await checkTester(tx, { tester, publicationId: edition.publicationId, addresses, now, perHour });
    }
    return createTestSend(tx, { editionId: request.editionId, addresses, createdBy: tester.email, now });
  });
}

/** Sends again, as a new send, the recipients of a send that failed. */
export async function requestResend(deps: SendDeps, parentSendId: number, createdBy: string): Promise<SendRow> {
  const send = await createResend(deps.store, { parentSendId, createdBy, now: deps.clock.now() });
  await start(deps, send);
  return (await getSend(deps.store, send.id))!;
}

/**
 * How long a send asked for now is left to the process that asked for it
 * (`requestSend` renders its message and starts it at once): a scheduler that
 * took it meanwhile would render the same message a second time, for nothing,
 * while the asker's snapshot runs. Past this, the asker is taken to have died
 * between the two steps, and any scheduler starts the send.
 */
export const ASKER_STARTS_MS = 60_000;

/**
 * Starts every scheduled send whose time has come, if within `graceMs` of its
 * time; one later than that is marked missed, with the reason. Returns what it
 * started. A send asked for now is its asker's to start for ASKER_STARTS_MS.
 */
export async function startDueSends(deps: SendDeps, graceMs: number): Promise<{ started: number[]; missed: number[] }> {
  const now = deps.clock.now();
  const started: number[] = [];
  const missed: number[] = [];
  for (const send of await dueSends(deps.store, now)) {
    if (send.scheduled_for <= send.created_at && now - send.created_at < ASKER_STARTS_MS) continue;
    if (now - send.scheduled_for > graceMs) {
      const when = new Date(send.scheduled_for).toISOString();
      if (await markMissed(deps.store, send.id, `missed: due at ${when}, no process was running within the grace period`)) missed.push(send.id);
      continue;
    }
    if ((await start(deps, send)) !== undefined) started.push(send.id);
  }
  return { started, missed };
}

async function start(deps: SendDeps, send: SendRow): Promise<number | undefined> {
  const input = await sendMessageInput(deps.store, send, { publicUrl: deps.publicUrl, mailDomain: deps.mailDomain });
  const rendering = (deps.render ?? renderSendMessage)(input).then((template) => JSON.stringify(template));
  if (!deps.render) return startSend(deps.store, send.id, await rendering, deps.clock.now());
  // On a render thread, the message is made while the recipients are
  // snapshotted, and stored with them once it comes. On the event loop it is
  // made before: the transaction would hold the database's write lock meanwhile.
  rendering.catch(() => {});
  return startSend(deps.store, send.id, rendering, deps.clock.now());
}
