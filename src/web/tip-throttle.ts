// The tip line's brake against floods: posts per network (networkOf: an IPv4
// /24, an IPv6 /64) within an hour. Counters live in this process's memory
// only, keyed by the network, and are forgotten when their hour passes:
// nothing of it reaches a disk or a log, and a restart forgets it all.
import type { Clock } from '../clock.ts';
import { networkOf } from './auth/network.ts';

export const DEFAULT_TIPS_PER_HOUR = 20;
const HOUR = 3_600_000;
// Bounds the memory a flood from many networks can make us hold.
const MAX_NETWORKS = 50_000;

export class TipThrottle {
  private posts = new Map<string, number[]>();
  constructor(
    private clock: Clock,
    private perHour: number = DEFAULT_TIPS_PER_HOUR,
  ) {}

  /** Counts a post from a client address; false when its network made too many within the hour. */
  allow(ip: string): boolean {
    const network = networkOf(ip);
    const now = this.clock.now();
    const recent = (this.posts.get(network) ?? []).filter((t) => t > now - HOUR);
    this.posts.delete(network); // re-inserted last: the map's order is the eviction order
    if (recent.length >= this.perHour) {
      this.posts.set(network, recent);
      return false;
    }
    this.posts.set(network, [...recent, now]);
    while (this.posts.size > MAX_NETWORKS) this.posts.delete(this.posts.keys().next().value!);
    return true;
  }
}
