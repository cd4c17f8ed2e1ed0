// The SQLite store's files hold personal data: the database and its WAL and
// shared-memory files are readable by their owner only (0600), new or old.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import SqliteDatabase from 'better-sqlite3';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '../../src/store/db.ts';
import { migrateToLatest } from '../../src/store/migrate.ts';

const mode = (path: string) => (statSync(path).mode & 0o777).toString(8);

test('a new SQLite database, its folder, WAL and shared memory are owner-only', async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'matinale-db-'));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const previous = process.umask(0o022);
  try {
    const dataDir = join(root, 'data');
    const store = openStore({ dataDir });
    try {
      await migrateToLatest(store); // writes, so the WAL holds pages
      const file = join(dataDir, 'matinale.sqlite');
      assert.equal(mode(dataDir), '700');
      assert.equal(mode(file), '600');
      assert.ok(existsSync(`${file}-wal`) && existsSync(`${file}-shm`));
      assert.equal(mode(`${file}-wal`), '600');
      assert.equal(mode(`${file}-shm`), '600');
    } finally {
      await store.close();
    }
  } finally {
    process.umask(previous);
  }
});

test('a database an older version left world-readable is tightened on open, with its WAL files', async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'matinale-db-'));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const file = join(root, 'matinale.sqlite');
  // As an older version left it: WAL mode, a process holding it open (so -wal
  // and -shm exist), every file 0644.
  const older = new SqliteDatabase(file);
  t.after(() => older.close());
  older.pragma('journal_mode = WAL');
  older.exec('create table t (x integer); insert into t values (1)');
  for (const f of [file, `${file}-wal`, `${file}-shm`]) chmodSync(f, 0o644);
  const store = openStore({ sqlitePath: file });
  try {
    for (const f of [file, `${file}-wal`, `${file}-shm`]) assert.equal(mode(f), '600', f);
  } finally {
    await store.close();
  }
});
