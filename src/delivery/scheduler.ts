// The scheduler: sends each publication's approved edition of the day at the
// publication's schedule (a cron expression read in the publication's time
// zone by croner, so 06:00 stays 06:00 across daylight-saving changes). A
// process that was down at the scheduled time sends on recovery when it is
// still within the grace period, once (one list send per edition, enforced
// by the store), and otherwise records the edition as missed. Only one process
// runs it at a time where the backend has advisory locks (SchedulerLock).
import { Cron } from 'croner';
import { dateIn } from '../clock.ts';
import { listPublications } from '../store/publications.ts';
import { findEdition } from '../store/editions.ts';
import { listSendOf } from '../store/sends.ts';
import { recordMissedSend } from './send-rules.ts';
import { requestSend, startDueSends, type SendDeps } from './sends.ts';

/** Held by at most one process at a time (store/scheduler-lock.ts). */
export interface SchedulerLock {
  /** True when this process holds (or just took) the lock. */
  tryAcquire(): Promise<boolean>;
  release(): Promise<void>;
}

export interface SchedulerTickResult {
  /** Sends started now (scheduled editions and sends whose time came). */
  started: number[];
  /** Editions or sends recorded as missed now. */
  missed: Array<{ editionId?: number; sendId?: number }>;
}

/** The latest occurrence of `schedule` in `timezone` at or before `now`, within `lookbackMs`. */
export function latestOccurrence(schedule: string, timezone: string, now: number, lookbackMs: number): number | undefined {
  const cron = new Cron(schedule, { timezone, paused: true });
  let cursor = new Date(now - lookbackMs);
  let latest: number | undefined;
  for (let i = 0; i < 10_000; i++) {
    const next = cron.nextRun(cursor);
    if (!next || next.getTime() > now) break;
    latest = next.getTime();
    cursor = next;
  }
  return latest;
}

/** One pass of the scheduler: due editions of the day, then due scheduled sends. */
export async function schedulerTick(deps: SendDeps, graceMs: number): Promise<SchedulerTickResult> {
  const now = deps.clock.now();
  const result: SchedulerTickResult = { started: [], missed: [] };
  for (const p of await listPublications(deps.store)) {
    const { schedule, timezone } = p.settings;
    const occurrence = latestOccurrence(schedule, timezone, now, graceMs + 26 * 3_600_000);
    if (occurrence === undefined) continue;
    const edition = await findEdition(deps.store, p.id, dateIn(occurrence, timezone));
    if (!edition || edition.status !== 'approved') continue;
    if (await listSendOf(deps.store, edition.id)) continue;
    if (now - occurrence <= graceMs) {
      try {
        const send = await requestSend(deps, { editionId: edition.id, createdBy: 'system:scheduler' });
        result.started.push(send.id);
      } catch (err) {
        // Another process created it between our look and our insert: it sends, we don't.
        if (!['already-sent', 'not-approved', 'wrong-state'].includes((err as { code?: string }).code ?? '')) throw err;
      }
    } else {
      const at = new Date(occurrence).toISOString();
      const missed = await recordMissedSend(deps.store, {
        editionId: edition.id,
        publicationId: p.id,
        scheduledFor: occurrence,
        reason: `missed: scheduled for ${at} (${schedule} in ${timezone}); no process was running within the grace period. Send it by hand if it is still worth it.`,
        now,
      });
      if (missed) result.missed.push({ editionId: edition.id, sendId: missed.id });
    }
  }
  const due = await startDueSends(deps, graceMs);
  result.started.push(...due.started);
  result.missed.push(...due.missed.map((sendId) => ({ sendId })));
  return result;
}
