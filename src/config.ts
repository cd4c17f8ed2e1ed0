// Configuration from the environment (and an optional `matinale.yaml` in
// DATA_DIR), read once at the edge (CLI, serve, worker) and passed down:
// nothing below the edge reads process.env.
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';

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
  /** Trust X-Forwarded-For from a reverse proxy (TRUST_PROXY=1): only behind one, or clients could spoof their address. */
  trustProxy?: boolean;
  /** Key for signed tokens and sessions (hex). Never log it. */
  secret: string;
  dkim?: DkimConfig;
}

const fileSchema = z
  .strictObject({
    databaseUrl: z.string().optional(),
    smtpUrl: z.string().optional(),
    publicUrl: z.string().optional(),
  })
  .partial();

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
  const file = existsSync(filePath) ? fileSchema.parse(parseYaml(readFileSync(filePath, 'utf8')) ?? {}) : {};

  const smtp = env.SMTP_URL || file.smtpUrl || '';
  const config: Config = {
    dataDir,
    databaseUrl: env.DATABASE_URL || file.databaseUrl || undefined,
    smtpUrls: smtp
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
    trustProxy: env.TRUST_PROXY === '1' || env.TRUST_PROXY === 'true',
    publicUrl: (env.PUBLIC_URL || file.publicUrl || (options.listening ? listenUrl(options.listening) : 'http://localhost:3000')).replace(/\/+$/, ''),
    secret: env.MATINALE_SECRET || secretIn(dataDir),
  };
  privateOutbox(join(dataDir, 'outbox'), config.smtpUrls.length === 0);
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
