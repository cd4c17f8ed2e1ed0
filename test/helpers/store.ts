// One store test suite, run against every backend: SQLite always, PostgreSQL
// when one answers at TEST_DATABASE_URL. Each test gets a fresh, migrated
// database of its own (a temporary SQLite file, or a PostgreSQL schema) that
// is removed afterwards, so tests can run in parallel and leave nothing behind.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import pg from 'pg';
import { openStore, type OpenOptions, type Store } from '../../src/store/db.ts';
import { migrateToLatest } from '../../src/store/migrate.ts';

export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';

export interface TestBackend {
  name: 'sqlite' | 'postgres';
  /** A fresh, migrated store; `options` are what another process would need to open the same database. */
  open(): Promise<TestStore>;
}

export interface TestStore extends Store {
  /** How to open the same database again (another connection, a child process). */
  options: OpenOptions;
  /** Closes the store and removes its database. */
  dispose(): Promise<void>;
}

let postgresReachable: Promise<boolean> | undefined;

async function canReachPostgres(): Promise<boolean> {
  if (process.env.TEST_POSTGRES === '0') return false;
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.query('select 1');
    return true;
  } catch {
    if (process.env.CI) throw new Error(`PostgreSQL is not reachable at ${TEST_DATABASE_URL}, and CI needs it`);
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

/** A fresh empty database (not migrated) and how to open it. */
export async function freshDatabase(name: 'sqlite' | 'postgres'): Promise<{ options: OpenOptions; drop(): Promise<void> }> {
  if (name === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'matinale-test-'));
    return {
      options: { sqlitePath: join(dir, 'matinale.sqlite'), dataDir: dir },
      drop: async () => rmSync(dir, { recursive: true, force: true }),
    };
  }
  const schema = `t_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await admin.connect();
  await admin.query(`create schema ${schema}`);
  await admin.end();
  return {
    options: { databaseUrl: TEST_DATABASE_URL, schema, maxConnections: 5 },
    drop: async () => {
      const c = new pg.Client({ connectionString: TEST_DATABASE_URL });
      await c.connect();
      await c.query(`drop schema if exists ${schema} cascade`);
      await c.end();
    },
  };
}

function backend(name: 'sqlite' | 'postgres'): TestBackend {
  return {
    name,
    async open() {
      const fresh = await freshDatabase(name);
      const store = openStore(fresh.options);
      await migrateToLatest(store);
      return {
        ...store,
        options: fresh.options,
        async dispose() {
          await store.close();
          await fresh.drop();
        },
      };
    },
  };
}

/** The backends to run store tests against: SQLite, and PostgreSQL when reachable. */
export async function testBackends(): Promise<TestBackend[]> {
  postgresReachable ??= canReachPostgres();
  return (await postgresReachable) ? [backend('sqlite'), backend('postgres')] : [backend('sqlite')];
}

/** A `test` maker whose tests each get a fresh fixture from `open`, closed afterwards whatever happens. */
export function fixtureTest<F extends { close(): Promise<void> }>(prefix: string, open: () => Promise<F>) {
  return (name: string, body: (fixture: F) => Promise<void>) =>
    test(`${prefix}: ${name}`, async () => {
      const fixture = await open();
      try {
        await body(fixture);
      } finally {
        await fixture.close();
      }
    });
}
