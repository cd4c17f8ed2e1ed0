// Configuration from the environment (and an optional `matinale.yaml` in
// DATA_DIR), read once at the edge (CLI, serve, worker) and passed down:
// nothing below the edge reads process.env.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
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
  mkdirSync(dataDir, { recursive: true });

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

/** The secret generated once into DATA_DIR, so that tokens survive restarts. */
function secretIn(dataDir: string): string {
  const path = join(dataDir, 'secret');
  if (existsSync(path)) return readFileSync(path, 'utf8').trim();
  const secret = randomBytes(32).toString('hex');
  writeFileSync(path, secret + '\n', { mode: 0o600, flag: 'wx' });
  return secret;
}
