// Everything the page of one send shows, as one plain object (the JSON of
// GET /api/sends/:id, polled by the page while the send runs): its progress,
// the relay's answers grouped by code, what readers did after it, and its
// results over time.
import type { Store } from '../store/db.ts';
import type { SendKind } from '../store/schema.ts';
import { answerGroups, nextListSendStart, readersReactions, resultsPerSlot, type AnswerGroup } from '../store/send-report.ts';
import { getSend } from '../store/sends.ts';
import { sendProgress, type SendProgress } from './progress.ts';
import { controlsFor, type SendControl } from './send-controls.ts';

export interface SendReport {
  progress: SendProgress;
  /** Who asked for it (an address, `system:scheduler`, `cli:…`). */
  createdBy: string;
  /** The controls its status allows now (the page shows those its reader's role allows too). */
  controls: SendControl[];
  /** The last answer of each recipient, grouped by SMTP code. */
  answers: AnswerGroup[];
  /**
   * What readers did after it: bounces (rows refused by their mailbox), and
   * the unsubscribes and complaints of its recipients from its start until the
   * publication's next list send started.
   */
  aftermath: { bounces: number; unsubscribes: number; complaints: number };
  /** Final results per slot of `slotSeconds` since the start: `[seconds from start, results per second]`. */
  rate: { slotSeconds: number; points: Array<[number, number]> };
}

// About 60 points whatever the length: a slot of 1 s for a minute's send, of 1 min for an hour's.
const SLOT_STEPS = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600];

/** The slot width (seconds) for a send that has run `elapsedMs`. */
export function slotSecondsFor(elapsedMs: number): number {
  const wanted = elapsedMs / 1000 / 60;
  return SLOT_STEPS.find((s) => s >= wanted) ?? SLOT_STEPS.at(-1)!;
}

/** The report of one send, or undefined when there is no such send. */
export async function sendReport(store: Store, sendId: number, now: number): Promise<SendReport | undefined> {
  const send = await getSend(store, sendId);
  const progress = send && (await sendProgress(store, sendId, now));
  if (!send || !progress) return undefined;
  const started = send.started_at;
  const end = send.finished_at ?? now;
  const slotSeconds = slotSecondsFor(started === null ? 0 : end - started);
  const slots = started === null ? [] : await resultsPerSlot(store, sendId, started, slotSeconds * 1000);
  const reactions =
    started === null || (send.kind as SendKind) === 'test'
      ? { unsubscribes: 0, complaints: 0 }
      : await readersReactions(store, {
          sendId,
          publicationId: send.publication_id,
          from: started,
          until: await nextListSendStart(store, send.publication_id, started),
        });
  return {
    progress,
    createdBy: send.created_by,
    controls: controlsFor(send.status),
    answers: await answerGroups(store, sendId),
    aftermath: { bounces: progress.counts.bounced, ...reactions },
    rate: { slotSeconds, points: fillSlots(slots, slotSeconds, started === null ? 0 : end - started) },
  };
}

// Every slot from the start to now, the empty ones at zero, so the line drops when sending stops.
function fillSlots(slots: Array<{ slot: number; count: number }>, slotSeconds: number, elapsedMs: number): Array<[number, number]> {
  const byIndex = new Map(slots.map((s) => [s.slot, s.count]));
  const last = Math.max(Math.floor(elapsedMs / 1000 / slotSeconds), ...slots.map((s) => s.slot), -1);
  const points: Array<[number, number]> = [];
  for (let i = 0; i <= last; i++) points.push([i * slotSeconds, (byIndex.get(i) ?? 0) / slotSeconds]);
  return points;
}
