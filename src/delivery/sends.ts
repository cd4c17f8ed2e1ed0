// Creating and starting sends: the newsroom's `send` (now, at a time, or to
// test addresses), a resend of what failed, and the start of sends whose time
// has come. Starting a send builds its message once and snapshots its
// recipients (store/sends.ts) in one transaction; any process may try, one wins.
import type { Clock } from '../clock.ts';
import type { Store } from '../store/db.ts';
import type { SendRow } from '../store/schema.ts';
import { createListSend, createResend, createTestSend, dueSends, getSend, markMissed, startSend } from '../store/sends.ts';
import { buildSendMessage } from './send-message.ts';

export interface SendDeps {
  store: Store;
  clock: Clock;
  publicUrl: string;
  mailDomain: string;
}

export interface SendRequest {
  editionId: number;
  /** When to send (ms); absent or past: now. */
  at?: number;
  /** Addresses of a test send; the edition may then be in any state. */
  test?: readonly string[];
  /** Who asked (a person's address, `system:scheduler`…). */
  createdBy: string;
}

/** Creates a send and, when its time is now, starts it; returns the send as it stands. */
export async function requestSend(deps: SendDeps, request: SendRequest): Promise<SendRow> {
  const now = deps.clock.now();
  const send = request.test
    ? await createTestSend(deps.store, { editionId: request.editionId, addresses: request.test, createdBy: request.createdBy, now })
    : await createListSend(deps.store, { editionId: request.editionId, scheduledFor: Math.max(request.at ?? now, now), createdBy: request.createdBy, now });
  if (send.scheduled_for <= now) await start(deps, send);
  return (await getSend(deps.store, send.id))!;
}

/** Sends again, as a new send, the recipients of a send that failed. */
export async function requestResend(deps: SendDeps, parentSendId: number, createdBy: string): Promise<SendRow> {
  const send = await createResend(deps.store, { parentSendId, createdBy, now: deps.clock.now() });
  await start(deps, send);
  return (await getSend(deps.store, send.id))!;
}

/**
 * Starts every scheduled send whose time has come, if within `graceMs` of its
 * time; one later than that is marked missed, with the reason. Returns what it started.
 */
export async function startDueSends(deps: SendDeps, graceMs: number): Promise<{ started: number[]; missed: number[] }> {
  const now = deps.clock.now();
  const started: number[] = [];
  const missed: number[] = [];
  for (const send of await dueSends(deps.store, now)) {
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
  const template = await buildSendMessage(deps.store, send, { publicUrl: deps.publicUrl, mailDomain: deps.mailDomain });
  return startSend(deps.store, send.id, JSON.stringify(template), deps.clock.now());
}
