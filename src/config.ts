// Configuration from the environment (and an optional `matinale.yaml` in
// DATA_DIR), read once at the edge (CLI, serve, worker) and passed down:
// nothing below the edge reads process.env.
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { isIP } from 'node:net';
import { join, resolve } from 'node:path';
import ms from 'ms';
import type * as Yaml from 'yaml';
import type * as Zod from 'zod';

export interface DkimConfig {
  domain: string;
  selector: string;
  privateKey: string;
}

export interface Config {
  dataDir: string;
  /** `postgres://…`, or undefined for SQLite in `dataDir`. */
  databaseUrl?: string;
  /** One or several relays; empty means the local outbox. */
  smtpUrls: string[];
  publicUrl: string;
  /**
   * Where publicUrl came from. `default` (http://localhost:3000) means nobody
   * set it: fine for the local outbox, dead links in mail through a relay.
   * Unset in configurations built in code (tests), which set publicUrl themselves.
   */
  publicUrlSource?: 'PUBLIC_URL' | 'matinale.yaml' | 'listening' | 'default';
  /**
   * TRUST_PROXY: the reverse proxies in front, as a number of hops (`1`: one
   * proxy; the client is the last X-Forwarded-For entry) or their addresses;
   * never "all", which would make the client-written first entry the address.
   */
  trustProxy?: number | string[];
  /** METRICS_TOKEN: the bearer token /metrics asks for; without it, /metrics is not served. Never log it. */
  metricsToken?: string;
  /** Key for signed tokens and sessions (hex). Never log it. */
  secret: string;
  dkim?: DkimConfig;
  /** Delivery's policies set by the operator (unset fields keep delivery's defaults). */
  delivery?: DeliverySettings;
  /** Audience's policies set by the operator (unset fields keep audience's defaults). */
  audience?: AudienceSettings;
  /**
   * DNS_SERVERS: the resolvers the sending setup's DNS check asks
   * (`1.1.1.1,9.9.9.9:53`); the system's when unset.
   */
  dnsServers?: string[];
  /** TIPS_PER_HOUR: posts to the tip line's forms one network (IPv4 /24, IPv6 /64) may make in an hour (default 20). */
  tipsPerHour?: number;
  /** Where the inbound SMTP listener (mailto unsubscribe, bounces, complaints) listens: INBOUND_SMTP, `host:port`; none when unset. */
  inboundSmtp?: ListenAddress;
}

/**
 * The delivery knobs an operator may turn, read from the environment. Plain
 * numbers here (the edge knows no delivery types); `delivery/worker.ts` lays
 * them over its own defaults.
 */
export interface DeliverySettings {
  /** SEND_GRACE: how late a scheduled send may still start after a process was down. */
  graceMs?: number;
  /** WORKER_BATCH: recipients a worker claims at once. */
  batchSize?: number;
  /** WORKER_LEASE: how long a claim holds before another worker may take the rows. */
  leaseMs?: number;
  /** RETRY_FIRST_DELAY, RETRY_MAX_DELAY, RETRY_DEADLINE, RETRY_MAX_ATTEMPTS. */
  retry: { baseDelayMs?: number; maxDelayMs?: number; deadlineMs?: number; maxAttempts?: number };
  /** PAUSE_ERROR_RATE (share 0–1 or percentage), PAUSE_WINDOW, PAUSE_MIN_ATTEMPTS. */
  errorRate: { threshold?: number; windowMs?: number; minAttempts?: number };
  /** TEST_SENDS_PER_HOUR: test messages one team member may ask for in an hour. */
  testSendsPerHour?: number;
  /** SIGNING_THREADS (formerly MESSAGE_THREADS): threads that compute DKIM signatures; 0 signs on libuv's thread pool. */
  signingThreads?: number;
}

export interface AudienceSettings {
  /** CONFIRM_LINK_MAX_AGE: how long a confirmation link works. */
  confirmMaxAgeMs?: number;
  /** PURGE_UNCONFIRMED_AFTER: when a subscription never confirmed is deleted. */
  purgeUnconfirmedAfterMs?: number;
  /** PREFERENCES_LINK_MAX_AGE: how long a preferences link works (each mail carries a fresh one). */
  preferencesMaxAgeMs?: number;
}

/** What a matinale.yaml may set. */
interface ConfigFile {
  databaseUrl?: string;
  smtpUrl?: string;
  publicUrl?: string;
}

/**
 * Reads and checks DATA_DIR/matinale.yaml. The YAML parser and zod (about
 * 170 files of code, 0.15 s of CPU) are required here, when a file exists,
 * not imported with this module: most processes (a worker set up by its
 * environment) never read one, and loadConfig must stay synchronous.
 */
function readConfigFile(path: string): ConfigFile {
  const require = createRequire(import.meta.url);
  const { parse } = require('yaml') as typeof Yaml;
  const { z } = require('zod') as typeof Zod;
  const schema = z.strictObject({
    databaseUrl: z.string().optional(),
    smtpUrl: z.string().optional(),
    publicUrl: z.string().optional(),
  });
  let data: unknown;
  try {
    data = parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new Error(`${path}: not valid YAML: ${(err as Error).message}`);
  }
  const checked = schema.safeParse(data ?? {});
  if (checked.success) return checked.data;
  // One line per problem, naming the setting, rather than zod's JSON.
  const problems = checked.error.issues.map((i) =>
    i.code === 'unrecognized_keys'
      ? `unknown setting ${i.keys.map((k) => `"${k}"`).join(', ')} (known: databaseUrl, smtpUrl, publicUrl)`
      : `${i.path.join('.') || 'the file'}: ${i.message}`,
  );
  throw new Error(`${path}: ${problems.join('; ')}`);
}

/** Where `serve` listens (the port actually bound, never 0). */
export interface ListenAddress {
  host: string;
  port: number;
}

export interface LoadOptions {
  /**
   * The address `serve` listens on: when neither PUBLIC_URL nor matinale.yaml
   * names the public URL, every link (pages, mail, List-Unsubscribe) must
   * point there rather than at the default port.
   */
  listening?: ListenAddress;
}

const LOCAL_HOSTS = ['127.0.0.1', '0.0.0.0', '::', '::1', 'localhost'];

/** The URL people reach a listening address at: `localhost` for the loopback and wildcard addresses. */
export function listenUrl({ host, port }: ListenAddress): string {
  const name = LOCAL_HOSTS.includes(host) ? 'localhost' : host.includes(':') ? `[${host}]` : host;
  return `http://${name}:${port}`;
}

/** Reads the configuration; creates DATA_DIR and the secret on first use. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, options: LoadOptions = {}): Config {
  const dataDir = resolve(env.DATA_DIR || './data');
  privateDir(dataDir);

  const filePath = join(dataDir, 'matinale.yaml');
  const file = existsSync(filePath) ? readConfigFile(filePath) : {};

  const smtp = env.SMTP_URL || file.smtpUrl || '';
  const config: Config = {
    dataDir,
    databaseUrl: env.DATABASE_URL || file.databaseUrl || undefined,
    smtpUrls: smtp
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
    ...proxyAndMetrics(env),
    publicUrl: (env.PUBLIC_URL || file.publicUrl || (options.listening ? listenUrl(options.listening) : 'http://localhost:3000')).replace(/\/+$/, ''),
    publicUrlSource: env.PUBLIC_URL ? 'PUBLIC_URL' : file.publicUrl ? 'matinale.yaml' : options.listening ? 'listening' : 'default',
    secret: env.MATINALE_SECRET || secretIn(dataDir),
    ...policiesFrom(env),
    ...(count(env, 'TIPS_PER_HOUR') ? { tipsPerHour: count(env, 'TIPS_PER_HOUR') } : {}),
  };
  privateOutbox(join(dataDir, 'outbox'), config.smtpUrls.length === 0);
  const dnsServers = dnsServersFrom(env);
  if (dnsServers) config.dnsServers = dnsServers;
  if (env.DKIM_DOMAIN || env.DKIM_SELECTOR || env.DKIM_PRIVATE_KEY_FILE) {
    if (!env.DKIM_DOMAIN || !env.DKIM_SELECTOR || !env.DKIM_PRIVATE_KEY_FILE) {
      throw new Error('DKIM needs all three of DKIM_DOMAIN, DKIM_SELECTOR and DKIM_PRIVATE_KEY_FILE');
    }
    config.dkim = {
      domain: env.DKIM_DOMAIN,
      selector: env.DKIM_SELECTOR,
      privateKey: readFileSync(env.DKIM_PRIVATE_KEY_FILE, 'utf8'),
    };
  }
  return config;
}

/** DNS_SERVERS: addresses, each with an optional port (`127.0.0.1:5353`, `[::1]:53`). */
function dnsServersFrom(env: NodeJS.ProcessEnv): string[] | undefined {
  const raw = env.DNS_SERVERS?.trim();
  if (!raw) return undefined;
  const servers = raw.split(',').map((s) => s.trim()).filter(Boolean);
  for (const server of servers) {
    const m = /^\[([^\]]+)\](?::(\d+))?$/.exec(server) ?? /^([^:]+)(?::(\d+))?$/.exec(server) ?? [server, server, undefined];
    if (!isIP(m[1]!) || (m[2] !== undefined && !(Number(m[2]) > 0 && Number(m[2]) < 65536))) {
      throw settingError('DNS_SERVERS', raw, 'IP addresses with an optional port, comma-separated (1.1.1.1,[::1]:53)');
    }
  }
  return servers;
}

/** A setting that does not read is refused at start, naming the variable: a typo must not silently keep a default. */
function settingError(name: string, value: string, expected: string): Error {
  return new Error(`${name} must be ${expected} (got ${JSON.stringify(value)})`);
}

/** `90s`, `15m`, `2h`, `7d` (or a number of milliseconds). */
function duration(env: NodeJS.ProcessEnv, name: string): number | undefined {
  const raw = env[name]?.trim();
  if (!raw) return undefined;
  const value = /^\d+$/.test(raw) ? Number(raw) : ms(raw as ms.StringValue);
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw settingError(name, raw, 'a positive duration such as 90s, 15m, 2h or 7d');
  }
  return value;
}

function count(env: NodeJS.ProcessEnv, name: string, least = 1): number | undefined {
  const raw = env[name]?.trim();
  if (!raw) return undefined;
  if (!/^\d+$/.test(raw) || Number(raw) < least) throw settingError(name, raw, `a whole number of at least ${least}`);
  return Number(raw);
}

/** `0.2` or `20%`. */
function share(env: NodeJS.ProcessEnv, name: string): number | undefined {
  const raw = env[name]?.trim();
  if (!raw) return undefined;
  const m = /^(\d+(?:\.\d+)?)(%?)$/.exec(raw);
  const value = m ? Number(m[1]) / (m[2] ? 100 : 1) : NaN;
  if (!(value > 0 && value <= 1)) throw settingError(name, raw, 'a share above 0 and at most 1, such as 0.2 or 20%');
  return value;
}

/** `host:port` (`[::1]:2525` for IPv6); a bare port listens on the loopback only. */
function listenAddress(env: NodeJS.ProcessEnv, name: string): ListenAddress | undefined {
  const raw = env[name]?.trim();
  if (!raw) return undefined;
  const m = /^(?:(\[[^\]]+\]|[^:[\]]+):)?(\d{1,5})$/.exec(raw);
  const port = m ? Number(m[2]) : NaN;
  if (!m || port > 65535) throw settingError(name, raw, 'host:port, such as 127.0.0.1:2525');
  return { host: m[1]?.replace(/^\[|\]$/g, '') ?? '127.0.0.1', port };
}

/**
 * TRUST_PROXY as a number of hops or a comma-separated list of proxy
 * addresses (IP or CIDR); METRICS_TOKEN at least 16 characters.
 */
function proxyAndMetrics(env: NodeJS.ProcessEnv): Pick<Config, 'trustProxy' | 'metricsToken'> {
  const out: Pick<Config, 'trustProxy' | 'metricsToken'> = {};
  const raw = env.TRUST_PROXY?.trim();
  const expected = 'a number of proxy hops (1 for one reverse proxy) or the proxies\' addresses, such as 10.0.0.2,10.0.1.0/24';
  if (raw && /^\d+$/.test(raw)) {
    if (Number(raw) > 0) out.trustProxy = Number(raw);
  } else if (raw) {
    const list = raw.split(',').map((s) => s.trim());
    const address = (s: string) => {
      const [ip = '', prefix, extra] = s.split('/');
      const bits = isIP(ip) === 4 ? 32 : isIP(ip) === 6 ? 128 : -1;
      return bits > 0 && extra === undefined && (prefix === undefined || (/^\d+$/.test(prefix) && Number(prefix) <= bits));
    };
    if (!list.every(address)) throw settingError('TRUST_PROXY', raw, expected);
    out.trustProxy = list;
  }
  const token = env.METRICS_TOKEN?.trim();
  if (token !== undefined && token !== '') {
    if (token.length < 16 || !/^[\x21-\x7e]+$/.test(token)) throw settingError('METRICS_TOKEN', '…', 'at least 16 printable ASCII characters without spaces');
    out.metricsToken = token;
  }
  return out;
}

function defined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

/** The operator's policies, from the environment; each one validated, unset ones left out. */
function policiesFrom(env: NodeJS.ProcessEnv): Pick<Config, 'delivery' | 'audience' | 'inboundSmtp'> {
  const audience = defined({
    confirmMaxAgeMs: duration(env, 'CONFIRM_LINK_MAX_AGE'),
    purgeUnconfirmedAfterMs: duration(env, 'PURGE_UNCONFIRMED_AFTER'),
    preferencesMaxAgeMs: duration(env, 'PREFERENCES_LINK_MAX_AGE'),
  });
  // Purging a subscription whose link still works would turn a valid click into "unknown link".
  if (audience.confirmMaxAgeMs && audience.purgeUnconfirmedAfterMs && audience.purgeUnconfirmedAfterMs < audience.confirmMaxAgeMs) {
    throw new Error('PURGE_UNCONFIRMED_AFTER must not be shorter than CONFIRM_LINK_MAX_AGE: a subscription would be purged while its link still works');
  }
  const retry = defined({
    baseDelayMs: duration(env, 'RETRY_FIRST_DELAY'),
    maxDelayMs: duration(env, 'RETRY_MAX_DELAY'),
    deadlineMs: duration(env, 'RETRY_DEADLINE'),
    maxAttempts: count(env, 'RETRY_MAX_ATTEMPTS'),
  });
  if (retry.baseDelayMs && retry.maxDelayMs && retry.maxDelayMs < retry.baseDelayMs) {
    throw new Error('RETRY_MAX_DELAY must not be shorter than RETRY_FIRST_DELAY');
  }
  const inboundSmtp = listenAddress(env, 'INBOUND_SMTP');
  return {
    delivery: {
      ...defined({
        graceMs: duration(env, 'SEND_GRACE'),
        batchSize: count(env, 'WORKER_BATCH'),
        leaseMs: duration(env, 'WORKER_LEASE'),
        testSendsPerHour: count(env, 'TEST_SENDS_PER_HOUR'),
        // MESSAGE_THREADS is the name it had when the threads built whole messages.
        signingThreads: count(env, 'SIGNING_THREADS', 0) ?? count(env, 'MESSAGE_THREADS', 0),
      }),
      retry,
      errorRate: defined({ threshold: share(env, 'PAUSE_ERROR_RATE'), windowMs: duration(env, 'PAUSE_WINDOW'), minAttempts: count(env, 'PAUSE_MIN_ATTEMPTS') }),
    },
    audience,
    ...(inboundSmtp ? { inboundSmtp } : {}),
  };
}

// DATA_DIR holds personal data (the SQLite database, the outbox's messages,
// the secret): nobody but the account running Matinale may read it. mkdir's
// mode is cut by the umask, hence the chmod to the exact mode.
const OWNER_ONLY_DIR = 0o700;

/** Creates a folder (and missing parents) readable by its owner only; a folder that exists is left as the operator set it. */
function privateDir(path: string): void {
  const created = mkdirSync(path, { recursive: true, mode: OWNER_ONLY_DIR });
  // An existing DATA_DIR may be a folder the operator chose and shares (even
  // /tmp): its modes are theirs. Its contents are guarded one by one (the
  // database files in store/db.ts, the outbox below, the secret).
  if (created !== undefined) chmodSync(path, OWNER_ONLY_DIR);
}

/**
 * The outbox holds every message with its recipient's address: created
 * owner-only when it is in use, and tightened when an older version left it
 * open (it is Matinale's own folder, so its modes are ours to set).
 */
function privateOutbox(path: string, inUse: boolean): void {
  if (inUse) mkdirSync(path, { recursive: true, mode: OWNER_ONLY_DIR });
  if (existsSync(path)) chmodSync(path, OWNER_ONLY_DIR);
}

/** The secret generated once into DATA_DIR, so that tokens survive restarts. */
function secretIn(dataDir: string): string {
  const path = join(dataDir, 'secret');
  if (existsSync(path)) return readFileSync(path, 'utf8').trim();
  const secret = randomBytes(32).toString('hex');
  writeFileSync(path, secret + '\n', { mode: 0o600, flag: 'wx' });
  return secret;
}
