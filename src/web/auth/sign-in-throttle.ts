// Slows password guessing without handing anyone a way to lock a member out.
// - Per (address, network): after `maxFailures` attempts within the window,
//   that network may not try that address again until the window passes.
// - Per address, from every network together: past `slowAfter` failures each
//   attempt waits longer before its password is checked (up to `maxDelayMs`),
//   but the right password from another network still signs in, so failures
//   from rotating client addresses cannot lock the account.
// An attempt is counted when it starts, before the password hash (reserve),
// and given back when the password was right (release): N parallel guesses
// are limited exactly like N sequential ones.
// Kept in process memory on purpose: it is a brake, not a guarantee (each
// `serve` process has its own), and losing it on restart costs nothing.
import type { Clock } from '../../clock.ts';
import { networkOf } from './network.ts';

export interface ThrottlePolicy {
  /** Attempts allowed per (address, network) within the window. */
  maxFailures: number;
  /** Failures per address (all networks) after which each attempt is slowed down. */
  slowAfter: number;
  /** The wait added per failure beyond `slowAfter`… */
  delayStepMs: number;
  /** …up to this much. */
  maxDelayMs: number;
  /** Failures per address (all networks) that make the account's owner get a mail, once per window. */
  alertAfter: number;
  windowMs: number;
}

export const DEFAULT_THROTTLE: ThrottlePolicy = {
  maxFailures: 10,
  slowAfter: 10,
  delayStepMs: 100,
  maxDelayMs: 2000,
  alertAfter: 10,
  windowMs: 15 * 60 * 1000,
};

/** One attempt under way: counted already, given back by `succeed`. */
export interface Attempt {
  readonly keys: readonly [network: string, address: string];
  readonly at: number;
  /** How long to wait before checking the password. */
  readonly delayMs: number;
}

// Bounds the memory an attacker can make us hold.
const MAX_KEYS = 10_000;

/** Attempts per (network, address) and per address, forgotten after the window. */
export class SignInThrottle {
  private attempts = new Map<string, number[]>();
  private alerted = new Map<string, number>();
  constructor(
    private clock: Clock,
    readonly policy: ThrottlePolicy = DEFAULT_THROTTLE,
  ) {}

  private recent(key: string): number[] {
    const since = this.clock.now() - this.policy.windowMs;
    const kept = (this.attempts.get(key) ?? []).filter((t) => t > since);
    if (kept.length) this.attempts.set(key, kept);
    else this.attempts.delete(key);
    return kept;
  }

  /**
   * Counts an attempt at `email` from the client `ip` before its password is
   * checked; undefined when that network already used its attempts at the address.
   */
  attempt(ip: string, email: string): Attempt | undefined {
    const address = email.trim().toLowerCase();
    const network = `${networkOf(ip)}\u0000${address}`;
    const perAddress = `*\u0000${address}`;
    if (this.recent(network).length >= this.policy.maxFailures) return undefined;
    const at = this.clock.now();
    const before = this.recent(perAddress).length;
    for (const key of [network, perAddress]) {
      const kept = this.recent(key);
      this.attempts.delete(key); // re-inserted last: the map's order is the eviction order
      this.attempts.set(key, [...kept, at]);
    }
    while (this.attempts.size > MAX_KEYS) this.attempts.delete(this.attempts.keys().next().value!);
    const excess = before + 1 - this.policy.slowAfter;
    const delayMs = excess > 0 ? Math.min(this.policy.maxDelayMs, excess * this.policy.delayStepMs) : 0;
    return { keys: [network, perAddress], at, delayMs };
  }

  /**
   * The attempt failed (it stays counted). True once per window, when the
   * address's failures reach `alertAfter`: time to tell the account's owner.
   */
  fail(attempt: Attempt): boolean {
    const address = attempt.keys[1];
    if (this.recent(address).length < this.policy.alertAfter) return false;
    const last = this.alerted.get(address);
    if (last !== undefined && last > this.clock.now() - this.policy.windowMs) return false;
    this.alerted.delete(address);
    this.alerted.set(address, this.clock.now());
    while (this.alerted.size > MAX_KEYS) this.alerted.delete(this.alerted.keys().next().value!);
    return true;
  }

  /** The password was right: the attempt is given back, and that network's failures at the address forgotten. */
  succeed(attempt: Attempt): void {
    const [network, address] = attempt.keys;
    this.attempts.delete(network);
    const times = this.attempts.get(address);
    const i = times?.lastIndexOf(attempt.at) ?? -1;
    if (times && i >= 0) times.splice(i, 1);
  }
}
