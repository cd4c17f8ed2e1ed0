// One relay of SMTP_URL as the pool (smtp-pool.ts) opens it: where, how, how
// many connections and how fast.
//
// Relay options ride on its URL's query string, set by the operator:
//   smtp://user:pass@relay.example.net:587?pool=5&rate=50&hourly=100000
//   pool: connections (default 5); rate: messages/s; hourly: messages/hour;
//   maxMessages: messages per connection before it is renewed (default 1000);
//   weight: the relay's share of the messages against the others' (default 1);
//   tls=insecure: accept a self-signed certificate (a relay on the same host);
//   tls=none: no TLS, not even STARTTLS when offered, and credentials sent in
//   clear (a private path to the relay). Without it, credentials only go over
//   TLS, or to a loopback address, and a refused STARTTLS is an error.
//   connectTimeout, greetingTimeout, commandTimeout, dataStartTimeout,
//   dataEndTimeout: how long to wait for each step, as durations (90s, 5m);
//   by default RFC 5321's minimums (smtp-timeouts.ts): 30 s to connect, 5 min
//   for the greeting, MAIL FROM, RCPT TO and other commands, 2 min for the 354
//   to DATA, 10 min for the reply to the end of the message. Shorter than the
//   RFC's, a slow relay that takes the message after we gave up gets it twice.
import { redact } from '../store/db.ts';
import type { SmtpTimeouts } from './smtp-client.ts';
import { TIMEOUT_OPTIONS, timeoutsFromQuery } from './smtp-timeouts.ts';

export interface RelaySettings {
  host: string;
  port: number;
  secure: boolean;
  auth?: { user: string; pass: string };
  poolSize: number;
  perSecond: number;
  perHour: number;
  maxMessagesPerConnection: number;
  rejectUnauthorized: boolean;
  /** tls=none: speak in clear, credentials included. */
  plaintext: boolean;
  /** The waits the URL sets (the others: what the code passes, else RFC 5321's). */
  timeouts: Partial<SmtpTimeouts>;
  /** Its share of the messages against the other relays' (`weight`, default 1). */
  weight: number;
  description: string;
}

/** Reads one relay URL (`smtp://…` or `smtps://…`) with its pool and rate options. */
export function parseRelayUrl(url: string): RelaySettings {
  const u = new URL(url);
  if (u.protocol !== 'smtp:' && u.protocol !== 'smtps:') throw new Error(`SMTP_URL must start with smtp:// or smtps:// (got ${redact(url)})`);
  const secure = u.protocol === 'smtps:';
  const q = u.searchParams;
  const num = (name: string, fallback: number) => {
    const v = q.get(name);
    if (v === null) return fallback;
    const n = Number(v);
    if (!(n > 0)) throw new Error(`SMTP_URL option ${name} must be a positive number (got ${v})`);
    return n;
  };
  const port = u.port ? Number(u.port) : secure ? 465 : 587;
  const tls = q.get('tls');
  // An unknown value (a typo of "none") would otherwise mean "verify": refused, so it is seen at start.
  if (tls !== null && tls !== 'insecure' && tls !== 'none') throw new Error(`SMTP_URL option tls must be insecure or none (got ${tls})`);
  if (tls === 'none' && secure) throw new Error('SMTP_URL option tls=none contradicts smtps:// (TLS from the first byte)');
  // A misspelt timeout would otherwise leave the default in force without a word.
  for (const name of q.keys()) {
    if (/time|out$/i.test(name) && !(name in TIMEOUT_OPTIONS)) throw new Error(`SMTP_URL option ${name} is not known; the timeouts are ${Object.keys(TIMEOUT_OPTIONS).join(', ')}`);
  }
  return {
    // An IPv6 literal comes bracketed in a URL (`smtp://[::1]:25`); sockets want it bare.
    host: u.hostname.replace(/^\[(.*)\]$/, '$1'),
    port,
    secure,
    ...(u.username ? { auth: { user: decodeURIComponent(u.username), pass: decodeURIComponent(u.password) } } : {}),
    poolSize: Math.floor(num('pool', 5)),
    perSecond: num('rate', Infinity),
    perHour: num('hourly', Infinity),
    maxMessagesPerConnection: Math.floor(num('maxMessages', 1000)),
    rejectUnauthorized: tls !== 'insecure',
    plaintext: tls === 'none',
    timeouts: timeoutsFromQuery(q),
    weight: num('weight', 1),
    description: `${u.protocol}//${u.hostname}:${port}`,
  };
}
