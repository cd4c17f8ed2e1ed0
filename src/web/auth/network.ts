// The network a client address belongs to, for brakes: one person usually
// holds a whole IPv4 /24 or IPv6 /64 as easily as one address in it, so a
// brake keyed by the bare address would be beaten by stepping through them.
import { isIPv4, isIPv6 } from 'node:net';

/** `a.b.c.0/24` for IPv4 (IPv4-mapped IPv6 too), the first four groups `/64` for IPv6, the value itself otherwise. */
export function networkOf(ip: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip)?.[1];
  const v4 = mapped ?? ip;
  if (isIPv4(v4)) return `${v4.split('.').slice(0, 3).join('.')}.0/24`;
  if (!isIPv6(ip)) return ip;
  const [head = '', tail = ''] = ip.toLowerCase().split('%')[0]!.split('::') as [string, string?];
  const left = head ? head.split(':') : [];
  const right = ip.includes('::') && tail ? tail.split(':') : [];
  const groups = ip.includes('::') ? [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right] : left;
  return `${groups
    .slice(0, 4)
    .map((g) => g.replace(/^0+(?=.)/, ''))
    .join(':')}::/64`;
}
