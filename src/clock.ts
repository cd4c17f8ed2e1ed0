// Time is injected, never read from the system directly by the code that
// decides (leases, schedules, token expiry): tests pass a fake clock.

export interface Clock {
  /** Milliseconds since the epoch, UTC. */
  now(): number;
}

/** `YYYY-MM-DD` of an instant in a time zone (the publication's day, for schedules and embargoes). */
export function dateIn(ms: number, timezone: string): string {
  // Every time zone's day starts on a whole minute: within one minute the date is the same.
  const minute = Math.floor(ms / 60_000);
  const last = lastDates.get(timezone);
  if (last && last.minute === minute) return last.date;
  let format = dateFormats.get(timezone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-CA', { timeZone: timezone, year: 'numeric', month: '2-digit', day: '2-digit' });
    dateFormats.set(timezone, format);
  }
  const date = format.format(new Date(ms));
  lastDates.set(timezone, { minute, date });
  return date;
}

// Making a formatter costs far more than using one, and using one more than a
// lookup: the public site asks on every request. Keyed by time zone name, so as
// many entries as zones ever asked for (a few hundred at most).
const dateFormats = new Map<string, Intl.DateTimeFormat>();
const lastDates = new Map<string, { minute: number; date: string }>();

export const systemClock: Clock = { now: () => Date.now() };

/** A clock that only moves when told: for tests. */
export class FakeClock implements Clock {
  constructor(private ms: number) {}
  now(): number {
    return this.ms;
  }
  /** Moves the clock forward by `ms` milliseconds. */
  advance(ms: number): void {
    this.ms += ms;
  }
  /** Sets the clock to an ISO date-time. */
  set(iso: string): void {
    this.ms = Date.parse(iso);
  }
}
