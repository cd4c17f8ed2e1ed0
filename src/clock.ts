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
