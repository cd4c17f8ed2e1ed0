// What keeps one client, or a flood of large messages, from exhausting the
// inbound listener: connections per client address, and the bytes of message
// held in memory across every session at once. Each is a counter with a
// ceiling, taken when a resource is used and given back when it is freed.
import { isIPv4, isIPv6 } from 'node:net';

/** Bytes of message held in memory by every session together, with a ceiling. */
export class ByteBudget {
  private used = 0;

  constructor(readonly limit: number) {}

  /** Takes `n` bytes; false, and nothing taken, when that would pass the ceiling. */
  take(n: number): boolean {
    if (this.used + n > this.limit) return false;
    this.used += n;
    return true;
  }

  /** Gives back bytes taken before. */
  give(n: number): void {
    this.used = Math.max(0, this.used - n);
  }

  /** Bytes held now. */
  get inUse(): number {
    return this.used;
  }
}

/** Sessions open per client address, with a ceiling per address. */
export class ClientSlots {
  private readonly perAddress = new Map<string, number>();
  private readonly holders = new Map<string, string>();

  constructor(readonly limit: number) {}

  /** Takes a slot for a session from `address`; false when the address holds all its slots. */
  take(sessionId: string, address: string): boolean {
    const open = this.perAddress.get(address) ?? 0;
    if (open >= this.limit) return false;
    this.perAddress.set(address, open + 1);
    this.holders.set(sessionId, address);
    return true;
  }

  /** Gives back the session's slot, if it held one (a refused session held none). */
  give(sessionId: string): void {
    const address = this.holders.get(sessionId);
    if (address === undefined) return;
    this.holders.delete(sessionId);
    const open = (this.perAddress.get(address) ?? 1) - 1;
    if (open > 0) this.perAddress.set(address, open);
    else this.perAddress.delete(address);
  }
}

/**
 * The client an address stands for: an IPv4 address (also written as
 * IPv4-mapped IPv6), or the /64 of an IPv6 one, which is what one host or
 * one customer gets: counting its addresses one by one would give it 2^64 slots.
 */
export function clientOf(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return mapped[1]!;
  if (isIPv4(address) || !isIPv6(address)) return address;
  const [head = '', tail] = address.toLowerCase().split('%')[0]!.split('::') as [string, string | undefined];
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = tail === undefined ? left : [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right];
  return `${groups.slice(0, 4).map((g) => g.replace(/^0+(?=.)/, '')).join(':')}::/64`;
}
