// Slows password guessing: after too many failed sign-ins for one address from
// one client within a window, further attempts are refused until it passes.
// Kept in process memory on purpose: it is a brake, not a guarantee (each
// `serve` process has its own), and losing it on restart costs nothing.
import type { Clock } from '../../clock.ts';

export interface ThrottlePolicy {
  /** Failures allowed per (client, address) within the window. */
  maxFailures: number;
  /** Failures allowed per address from all clients together: client addresses can be forged behind a trusting proxy setup. */
  maxFailuresPerAddress: number;
  windowMs: number;
}

export const DEFAULT_THROTTLE: ThrottlePolicy = { maxFailures: 10, maxFailuresPerAddress: 50, windowMs: 15 * 60 * 1000 };

/** Failed sign-ins per (client, address), forgotten after the window. */
export class SignInThrottle {
  private failures = new Map<string, number[]>();
  constructor(
    private clock: Clock,
    private policy: ThrottlePolicy = DEFAULT_THROTTLE,
  ) {}

  private key(ip: string, email: string): string {
    return `${ip}\u0000${email.trim().toLowerCase()}`;
  }

  private recent(key: string): number[] {
    const since = this.clock.now() - this.policy.windowMs;
    const kept = (this.failures.get(key) ?? []).filter((t) => t > since);
    if (kept.length) this.failures.set(key, kept);
    else this.failures.delete(key);
    return kept;
  }

  /** True when this client may try this address again now. */
  allows(ip: string, email: string): boolean {
    return (
      this.recent(this.key(ip, email)).length < this.policy.maxFailures &&
      this.recent(this.key('*', email)).length < this.policy.maxFailuresPerAddress
    );
  }

  /** Records a failed attempt. */
  fail(ip: string, email: string): void {
    for (const key of [this.key(ip, email), this.key('*', email)]) this.failures.set(key, [...this.recent(key), this.clock.now()]);
    // Bound the memory an attacker can make us hold.
    if (this.failures.size > 10_000) this.failures.delete(this.failures.keys().next().value!);
  }

  /** Forgets the failures after a successful sign-in. */
  succeed(ip: string, email: string): void {
    this.failures.delete(this.key(ip, email));
  }
}
