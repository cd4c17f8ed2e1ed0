// Opens the newsroom's database: SQLite in DATA_DIR by default, PostgreSQL when
// a `postgres://` URL is given. Callers get one `Store` whatever the backend.
import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createRequire } from 'node:module';
import type SqliteDatabase from 'better-sqlite3';
import type pg from 'pg';
import { Kysely, sql, SqliteDialect } from 'kysely';
import { CAPABILITIES, COLUMN_TYPES, type Capabilities, type ColumnTypes } from './dialect.ts';
import { DEFAULT_RECONNECT_POLICY, Outages, type ReconnectPolicy } from './outages.ts';
import { CurrentSchemaPostgresDialect } from './postgres-introspector.ts';
import { keptStatements } from './sqlite-statements.ts';
import type { Database } from './schema.ts';

export interface Store {
  db: Kysely<Database>;
  capabilities: Capabilities;
  columnTypes: ColumnTypes;
  /**
   * The PostgreSQL pool under `db`, for what Kysely cannot do (`COPY`, in
   * subscriber-import.ts); absent on SQLite and on transaction views. Only
   * store modules use it.
   */
  pgPool?: pg.Pool;
  /**
   * The SQLite connection under `db`, for the few statements that keep a
   * prepared statement of their own: the reads on every public request
   * (archive-stamps.ts), the results of a batch (ledger.ts). Absent on
   * PostgreSQL. On a transaction view it is the connection the transaction
   * holds (SQLite has one): a statement run on it there is inside the
   * transaction. Only store modules use it.
   */
  sqlite?: SqliteDatabase.Database;
  /** A short description for logs, without any password. */
  description: string;
  /**
   * PostgreSQL: the process's record of lost database connections (backoff,
   * one log line per outage; outages.ts). Absent on SQLite, which has no
   * connection to lose, and on transaction views, which must not retry.
   */
  outages?: Outages;
  close(): Promise<void>;
}

export interface OpenOptions {
  /** `postgres://…`; when absent, SQLite at `sqlitePath`. */
  databaseUrl?: string;
  /** SQLite file (default: `<dataDir>/matinale.sqlite`). */
  sqlitePath?: string;
  dataDir?: string;
  /** PostgreSQL schema to work in (tests use one per test). */
  schema?: string;
  /** Pool size for PostgreSQL. */
  maxConnections?: number;
  /** How to wait for a PostgreSQL server that went away (default DEFAULT_RECONNECT_POLICY). */
  reconnect?: Partial<ReconnectPolicy>;
  /** Where the outage lines go (default: stderr, `matinale: …`). */
  onOutage?: (line: string) => void;
}

// Each driver loads when a store of its kind opens: a process on SQLite never
// loads pg (nor the fetch machinery pg touches as it loads), and the reverse
// (src/cli/README.md, « Heavy libraries »). Both are CommonJS, required as needed.
const require = createRequire(import.meta.url);
const loadPg = () => require('pg') as typeof pg;
const loadSqlite = () => require('better-sqlite3') as typeof SqliteDatabase;

// int8 (bigint) columns hold ids and epoch milliseconds: both fit a JS number.
const INT8_OID = 20;
const pgTypes = {
  getTypeParser(oid: number, format?: string) {
    if (oid === INT8_OID) return (value: string) => Number(value);
    return loadPg().types.getTypeParser(oid, format as 'text');
  },
};

/** One round trip to the database (a health check): resolves when it answers. */
export async function ping(store: Store): Promise<void> {
  await sql`select 1`.execute(store.db);
}

/** Opens the store for a configuration (SQLite or PostgreSQL). */
export function openStore(options: OpenOptions): Store {
  const url = options.databaseUrl;
  if (url && /^postgres(ql)?:\/\//.test(url)) {
    const { Pool } = loadPg();
    const pool = new Pool({
      connectionString: url,
      max: options.maxConnections ?? 10,
      types: pgTypes,
      // Names the process's sessions in pg_stat_activity unless PGAPPNAME or the URL's application_name does.
      fallback_application_name: 'matinale',
      ...(options.schema ? { options: `-c search_path=${options.schema}` } : {}),
    });
    const description = `postgres ${redact(url)}${options.schema ? ` (schema ${options.schema})` : ''}`;
    const outages = new Outages(description, options.onOutage ?? ((line) => process.stderr.write(`matinale: ${line}\n`)), {
      ...DEFAULT_RECONNECT_POLICY,
      ...options.reconnect,
    });
    // When the server restarts, every connection dies. node-postgres reports
    // it as an 'error' event: on the pool for an idle connection (which the
    // pool then drops), on the client for one in use between two queries
    // (its next query fails; the pool drops it when it comes back). Without a
    // listener, Node ends the process on the first one.
    pool.on('error', (err) => outages.failed(err));
    pool.on('connect', (client) => client.on('error', (err) => outages.failed(err)));
    const db = new Kysely<Database>({ dialect: new CurrentSchemaPostgresDialect({ pool }) });
    return {
      db,
      capabilities: CAPABILITIES.postgres,
      columnTypes: COLUMN_TYPES.postgres,
      pgPool: pool,
      description,
      outages,
      close: () => db.destroy(),
    };
  }
  if (url) throw new Error(`DATABASE_URL must start with postgres:// (got ${redact(url)})`);

  const path = options.sqlitePath ?? join(options.dataDir ?? './data', 'matinale.sqlite');
  if (path !== ':memory:') {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    // Created owner-only before SQLite opens it, so there is no moment when a new
    // database holding subscribers' addresses is readable by every user.
    if (!existsSync(path)) createOwnerOnly(path);
  }
  const Sqlite = loadSqlite();
  const sqlite = new Sqlite(path);
  // WAL lets readers work while one writer writes; the busy timeout makes a
  // second process wait for the lock instead of failing at once.
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('busy_timeout = 10000');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('synchronous = NORMAL');
  // Deleted rows are overwritten, not left in free pages: a deleted tip's
  // ciphertext or an erased subscriber's address is gone from the file.
  sqlite.pragma('secure_delete = ON');
  // A database created by an older version is world-readable (0644): tighten it,
  // and its WAL and shared-memory files (SQLite gives new ones the database's mode).
  if (path !== ':memory:') for (const file of [path, `${path}-wal`, `${path}-shm`]) ownerOnly(file);
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: keptStatements(sqlite) }) });
  return {
    db,
    capabilities: CAPABILITIES.sqlite,
    columnTypes: COLUMN_TYPES.sqlite,
    sqlite,
    description: `sqlite ${path}`,
    close: () => db.destroy(),
  };
}

const OWNER_ONLY_FILE = 0o600;

function createOwnerOnly(path: string): void {
  try {
    closeSync(openSync(path, 'wx', OWNER_ONLY_FILE));
  } catch (err) {
    // Another process created it meanwhile: ownerOnly() below tightens it.
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
}

function ownerOnly(path: string): void {
  try {
    chmodSync(path, OWNER_ONLY_FILE);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    // Absent (-wal/-shm not there yet), or owned by another account: its owner
    // set those modes on purpose (a group shared by serve and worker), not us.
    if (code !== 'ENOENT' && code !== 'EPERM') throw err;
  }
}

/** The URL without its password, for messages and logs. */
export function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(unparsable URL)';
  }
}
