// `matinale user add`: the first admin of a fresh newsroom, with the password
// from stdin, then able to sign in; wrong usage and weak passwords refused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openStore } from '../../src/store/db.ts';
import { credentialsFor } from '../../src/store/accounts.ts';
import { accountOf } from '../../src/web/auth/accounts.ts';
import { verifyPassword } from '../../src/web/auth/password.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

function matinale(dataDir: string, args: string[], input = '') {
  const env = { ...process.env, DATA_DIR: dataDir, DATABASE_URL: '', MATINALE_SECRET: '' };
  return spawnSync(process.execPath, ['bin/matinale.js', ...args], { cwd: ROOT, env, input, encoding: 'utf8' });
}

test('user add creates an admin who can sign in', { timeout: 180_000 }, async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'matinale-user-'));
  t.after(() => rmSync(dataDir, { recursive: true, force: true }));

  const early = matinale(dataDir, ['user', 'add', 'chief@example.org', '--role', 'admin', '--password-stdin'], 'a-long-enough-password\n');
  assert.equal(early.status, 1, early.stderr);
  assert.match(early.stderr, /no publication yet/);

  assert.equal(matinale(dataDir, ['publication', 'add', 'examples/publications/tech-matin.yaml']).status, 0);
  const bad = matinale(dataDir, ['user', 'add', 'chief@example.org', '--role', 'boss', '--password-stdin'], 'a-long-enough-password\n');
  assert.equal(bad.status, 2);
  const weak = matinale(dataDir, ['user', 'add', 'chief@example.org', '--role', 'admin', '--password-stdin'], 'short\n');
  assert.equal(weak.status, 1);

  const ok = matinale(dataDir, ['user', 'add', 'Chief@Example.org', '--role', 'admin', '--name', 'Ada Chief', '--password-stdin'], 'a-long-enough-password\n');
  assert.equal(ok.status, 0, ok.stderr);
  assert.match(ok.stdout, /chief@example\.org can sign in as admin/);
  assert.doesNotMatch(ok.stdout, /a-long-enough-password/);

  const store = openStore({ dataDir });
  try {
    const credentials = await credentialsFor(store, 'chief@example.org');
    assert.ok(credentials);
    assert.equal(await verifyPassword('a-long-enough-password', credentials.passwordHash), true);
    const account = await accountOf(store, credentials.userId);
    assert.equal(account?.name, 'Ada Chief');
    assert.deepEqual([...(account?.roles.values() ?? [])], ['admin'], 'admin of the one publication');
  } finally {
    await store.close();
  }
});
