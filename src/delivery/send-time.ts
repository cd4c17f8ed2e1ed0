// When an edition goes out, in the publication's time zone: the moment a
// scheduled send starts, or, for an approved edition with no send yet, the
// publication's schedule on the edition's date (the scheduler sends it then);
// and a wall-clock time typed in a picker read in a time zone.
import { Cron } from 'croner';
import type { EditionStatus, SendRow } from '../store/schema.ts';
import { dateIn } from '../clock.ts';

/** The publication's scheduled time on `date` (YYYY-MM-DD in `timezone`) still to come after `now`, if any. */
export function scheduleTimeOn(schedule: string, timezone: string, date: string, now: number): number | undefined {
  const cron = new Cron(schedule, { timezone, paused: true });
  // Every time zone's `date` starts at most 14 hours before that day's midnight UTC.
  let cursor = new Date(Math.max(now, Date.parse(`${date}T00:00:00Z`) - 15 * 3_600_000));
  for (let i = 0; i < 2000; i++) {
    const next = cron.nextRun(cursor);
    if (!next) return undefined;
    const day = dateIn(next.getTime(), timezone);
    if (day === date) return next.getTime();
    if (day > date) return undefined;
    cursor = next;
  }
  return undefined;
}

/**
 * When the edition goes out, if it will: a scheduled list send at its time;
 * an approved edition that has no list send (none was made, unscheduled or
 * missed ones count as one) at the publication's schedule on its date, when
 * that is still to come. Undefined otherwise.
 */
export function goesOutAt(
  edition: { status: EditionStatus; date: string },
  publication: { schedule: string; timezone: string },
  listSend: Pick<SendRow, 'status' | 'scheduled_for'> | undefined,
  now: number,
): number | undefined {
  if (edition.status === 'scheduled') return listSend?.status === 'scheduled' ? listSend.scheduled_for : undefined;
  if (edition.status !== 'approved' || listSend) return undefined;
  return scheduleTimeOn(publication.schedule, publication.timezone, edition.date, now);
}

/** Why a wall-clock time cannot be read. */
export class WallTimeError extends Error {}

/** The wall clock of an instant in a time zone, as `YYYY-MM-DDTHH:MM` (what a datetime-local picker shows). */
export function wallTimeIn(ms: number, timezone: string): string {
  const n = wallParts(ms, timezone);
  const two = (v: number) => String(v).padStart(2, '0');
  return `${n.year}-${two(n.month)}-${two(n.day)}T${two(n.hour)}:${two(n.minute)}`;
}

function wallOf(ms: number, timezone: string): number {
  const n = wallParts(ms, timezone);
  return Date.UTC(n.year, n.month - 1, n.day, n.hour, n.minute);
}

function wallParts(ms: number, timezone: string): { year: number; month: number; day: number; hour: number; minute: number } {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: timezone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
  }).formatToParts(new Date(ms));
  const n = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  return { year: n('year'), month: n('month'), day: n('day'), hour: n('hour'), minute: n('minute') };
}

/**
 * The instant of a wall-clock time `YYYY-MM-DDTHH:MM` (what
 * `<input type="datetime-local">` posts) in `timezone`. A time that the
 * clocks skip (the spring change) is refused; one they pass twice (autumn)
 * is the first.
 */
export function instantOfWallTime(value: string, timezone: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::\d{2}(?:\.\d+)?)?$/.exec(value);
  if (!m) throw new WallTimeError(`a date and time is needed (YYYY-MM-DDTHH:MM), got ${JSON.stringify(value.slice(0, 40))}`);
  const wall = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]));
  if (Number.isNaN(wall) || new Date(wall).getUTCDate() !== Number(m[3]) || Number(m[4]) > 23) {
    throw new WallTimeError(`${value} is not a date and time of the calendar`);
  }
  // The offset is that of the instant itself: try the offset an hour either side, keep the earliest that reads back.
  const candidates = [wall - 3_600_000 * 3, wall, wall + 3_600_000 * 3]
    .map((probe) => wall - (wallOf(probe, timezone) - probe))
    .filter((ms) => wallOf(ms, timezone) === wall)
    .sort((a, b) => a - b);
  if (candidates.length === 0) throw new WallTimeError(`${value} does not exist in ${timezone} (the clocks skip it)`);
  return candidates[0]!;
}
