// Brakes on the public subscribe form, which anyone may post to: without them
// a script could bury a stranger's mailbox under confirmation mails, or use
// the newsroom's relay to mail many strangers.
// - Per client address: at most `perClient` posts within `clientWindowMs`;
//   more get a 429, which tells nothing about any subscriber.
// - Per address and publication: at most one mail (confirmation or "already
//   subscribed") within `mailIntervalMs`. A post beyond that gets the very same
//   answer as one that mailed, whether the address is known or not, so the
//   limit reveals nothing about the list. Keyed by the address's keyed hash, so
//   this memory never holds an address.
// Kept in each process's memory, like the sign-in throttle: a brake, not a
// guarantee (each `serve` process has its own, and a restart forgets).
import type { Clock } from '../clock.ts';

export interface SubscribeThrottlePolicy {
  perClient: number;
  clientWindowMs: number;
  mailIntervalMs: number;
}

const MINUTE = 60_000;
export const DEFAULT_SUBSCRIBE_THROTTLE: SubscribeThrottlePolicy = { perClient: 10, clientWindowMs: 10 * MINUTE, mailIntervalMs: 10 * MINUTE };

// Bounds the memory a flood of distinct clients or addresses can make us hold.
const MAX_KEYS = 50_000;

/** Posts per client and mails per (publication, address hash), forgotten once their window passed. */
export class SubscribeThrottle {
  private posts = new Map<string, number[]>();
  private mailed = new Map<string, number>();
  constructor(
    private clock: Clock,
    private policy: SubscribeThrottlePolicy = DEFAULT_SUBSCRIBE_THROTTLE,
  ) {}

  /** Counts a post from a client; false when it is one too many within the window. */
  allowClient(ip: string): boolean {
    const now = this.clock.now();
    const recent = (this.posts.get(ip) ?? []).filter((t) => t > now - this.policy.clientWindowMs);
    if (recent.length >= this.policy.perClient) {
      this.posts.set(ip, recent);
      return false;
    }
    this.posts.delete(ip); // re-inserted last: the map's order is the eviction order
    this.posts.set(ip, [...recent, now]);
    bound(this.posts);
    return true;
  }

  /**
   * Reserves the one mail of the interval for this address of this publication:
   * true when it may be sent (and is counted from now, so that two posts at once
   * cannot both mail), false when one went out within the interval.
   */
  takeMail(publicationSlug: string, addressHash: string): boolean {
    const key = `${publicationSlug}\u0000${addressHash}`;
    const now = this.clock.now();
    const last = this.mailed.get(key);
    if (last !== undefined && last > now - this.policy.mailIntervalMs) return false;
    this.mailed.delete(key);
    this.mailed.set(key, now);
    bound(this.mailed);
    return true;
  }

  /** Gives the reservation back when no mail went out after all (unknown publication, a failure). */
  releaseMail(publicationSlug: string, addressHash: string): void {
    this.mailed.delete(`${publicationSlug}\u0000${addressHash}`);
  }
}

function bound(map: Map<string, unknown>): void {
  while (map.size > MAX_KEYS) map.delete(map.keys().next().value!);
}
