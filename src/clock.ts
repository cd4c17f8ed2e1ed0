// Time is injected, never read from the system directly by the code that
// decides (leases, schedules, token expiry): tests pass a fake clock.

export interface Clock {
  /** Milliseconds since the epoch, UTC. */
  now(): number;
}

/** `YYYY-MM-DD` of an instant in a time zone (the publication's day, for schedules and embargoes). */
export function dateIn(ms: number, timezone: string): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: timezone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date(ms));
}

/** The wall clock of an instant in a time zone, each part written with its digits (`2026`, `03`, `07`, `06`, `00`). */
export function wallClock(ms: number, timezone: string): { year: string; month: string; day: string; hour: string; minute: string } {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone: timezone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
  }).formatToParts(new Date(ms));
  const part = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return { year: part('year'), month: part('month'), day: part('day'), hour: part('hour'), minute: part('minute') };
}

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
