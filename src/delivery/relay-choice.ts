// Which relay of SMTP_URL takes the next message. Two rules:
//
// - By weight: smooth weighted round robin (each relay's credit grows by its
//   weight at every choice; the one with the most credit is chosen and pays
//   the sum of the weights). Weights 3 and 1 give A A B A, A A B A…: the
//   shares hold over any stretch of messages, not only on average, and a
//   relay coming back from a pause starts level with the others instead of
//   being owed every message it missed.
// - Set aside: a relay that could not be reached is left out until a time,
//   30 s after its first failure, doubling at each failure in a row, up to
//   10 min; one log line when it is set aside, one when it answers again.
//   When its time comes the next message tries it again. While every relay
//   is set aside they are all tried all the same, as a single relay is: the
//   message's failure then goes to the retry policy (it waits, or the send
//   pauses), exactly as before there were several relays.
import type { Clock } from '../clock.ts';

export interface SetAsidePolicy {
  /** How long a relay is set aside after its first failure in a row (ms). */
  firstMs: number;
  /** The longest (ms): the time doubles at each failure in a row up to this. */
  maxMs: number;
}

export const DEFAULT_SET_ASIDE: SetAsidePolicy = { firstMs: 30_000, maxMs: 10 * 60_000 };

interface RelayState {
  description: string;
  weight: number;
  credit: number;
  /** Set aside until this time (epoch ms); 0 when it is not. */
  asideUntil: number;
  /** Failures to reach it in a row (each one that set it aside). */
  failures: number;
}

export class RelayChoice {
  private readonly relays: RelayState[];

  constructor(
    relays: ReadonlyArray<{ description: string; weight: number }>,
    private readonly clock: Clock,
    private readonly logger: { info(obj: object, msg: string): void; warn(obj: object, msg: string): void },
    private readonly policy: SetAsidePolicy = DEFAULT_SET_ASIDE,
  ) {
    if (relays.length === 0) throw new Error('no relay to choose from');
    for (const r of relays) if (!(r.weight > 0)) throw new Error(`the weight of ${r.description} must be a positive number (got ${r.weight})`);
    this.relays = relays.map((r) => ({ description: r.description, weight: r.weight, credit: 0, asideUntil: 0, failures: 0 }));
  }

  /** Whether relay `i` is not set aside now. */
  isUp(i: number): boolean {
    return this.relays[i]!.asideUntil <= this.clock.now();
  }

  /** Whether a relay other than those tried may still take the message (one not set aside). */
  hasAnother(tried: ReadonlySet<number>): boolean {
    return this.relays.some((_, i) => !tried.has(i) && this.isUp(i));
  }

  /**
   * The relay for the next message, among those not tried for it yet: those
   * not set aside, else (every one set aside, none tried yet) all of them.
   */
  next(tried: ReadonlySet<number> = new Set()): number {
    let candidates = this.relays.map((_, i) => i).filter((i) => !tried.has(i) && this.isUp(i));
    if (candidates.length === 0) candidates = this.relays.map((_, i) => i).filter((i) => !tried.has(i));
    if (candidates.length === 0) throw new Error('every relay was tried for this message');
    if (candidates.length === 1) return candidates[0]!;
    let best = candidates[0]!;
    let total = 0;
    for (const i of candidates) {
      const r = this.relays[i]!;
      r.credit += r.weight;
      total += r.weight;
      if (r.credit > this.relays[best]!.credit) best = i;
    }
    this.relays[best]!.credit -= total;
    return best;
  }

  /** Relay `i` could not be reached (`why`, never a password: the client's error). Sets it aside unless it already is; true when this call did. */
  unreachable(i: number, why: string): boolean {
    const r = this.relays[i]!;
    const now = this.clock.now();
    // Messages in flight to it when it went down fail one after the other: the first one sets it aside, once.
    if (r.asideUntil > now) return false;
    const forMs = Math.min(this.policy.maxMs, this.policy.firstMs * 2 ** r.failures);
    r.failures++;
    r.asideUntil = now + forMs;
    r.credit = 0;
    const others = this.relays.filter((_, j) => j !== i && this.isUp(j)).length;
    this.logger.warn(
      { relay: r.description, seconds: Math.round(forMs / 1000), failuresInARow: r.failures, otherRelaysUp: others, reason: why },
      `relay ${r.description} set aside for ${Math.round(forMs / 1000)} s: ${why}`,
    );
    return true;
  }

  /** A session of relay `i` was opened (or reused): it is no longer failing. */
  reached(i: number): void {
    const r = this.relays[i]!;
    if (r.failures === 0) return;
    r.failures = 0;
    r.asideUntil = 0;
    this.logger.info({ relay: r.description }, `relay ${r.description} answers again`);
  }
}
