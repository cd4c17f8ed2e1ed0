// Tips are kept for the publication's retention period (`tipRetentionDays`,
// 90 by default) and then deleted with every part: ciphertext, files,
// replies. Days are whole: a tip of 1 March with 90 days is kept through
// 29 May and deleted from 30 May on.
import type { Clock } from '../clock.ts';
import type { Store } from '../store/db.ts';
import { listPublications } from '../store/publications.ts';
import { deleteTipsBefore } from '../store/tips.ts';
import { tipDay } from './tip-line.ts';

export const DEFAULT_TIP_RETENTION_DAYS = 90;
const DAY_MS = 86_400_000;

/** The first day whose tips are still kept today. */
export function oldestKeptDay(now: number, retentionDays: number): string {
  return tipDay(now - (retentionDays - 1) * DAY_MS);
}

/** Deletes every tip past its publication's retention; returns how many, per publication slug. */
export async function purgeExpiredTips(store: Store, clock: Clock): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const publication of await listPublications(store)) {
    const days = publication.settings.tipRetentionDays ?? DEFAULT_TIP_RETENTION_DAYS;
    const deleted = await deleteTipsBefore(store, publication.id, oldestKeptDay(clock.now(), days));
    if (deleted > 0) out[publication.settings.slug] = deleted;
  }
  return out;
}

/** The tip line's part of the worker's hourly purges (delivery/worker.ts `purges`): counts per publication only. */
export function tipRetentionPurge(store: Store, clock: Clock): { what: string; run: () => Promise<Record<string, number>> } {
  return { what: 'tips past their retention', run: () => purgeExpiredTips(store, clock) };
}
