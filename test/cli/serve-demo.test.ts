// `matinale serve` seeds the demo newsroom only on the embedded default
// (SQLite and the outbox) or when asked with --demo: an empty PostgreSQL, or a
// newsroom with a relay, stays empty, and no password is printed for it.
// The real command as a child process, on each backend.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cliBackends, type CliDatabase } from '../helpers/cli-database.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Starts serve, returns what it printed once its banner is out, then stops it with SIGTERM. */
async function banner(db: CliDatabase, args: string[], env: NodeJS.ProcessEnv = {}): Promise<string> {
  const child = spawn(process.execPath, [join(ROOT, 'bin/matinale.js'), 'serve', '--port', '0', '--no-worker', ...args], {
    cwd: ROOT,
    env: { ...db.env, PUBLIC_URL: '', SMTP_URL: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no banner in time:\n${stdout}\n${stderr}`)), 60_000);
      const check = () => {
        // The banner's last line names the worker.
        if (/delivery worker: off/.test(stdout)) {
          clearTimeout(timer);
          resolve();
        }
      };
      child.stdout.on('data', check);
      child.on('exit', (code) => reject(new Error(`serve exited with ${code}:\n${stdout}\n${stderr}`)));
    });
  } finally {
    child.kill('SIGTERM');
    await exited;
  }
  return stdout;
}

async function publicationsAndUsers(db: CliDatabase): Promise<[number, number]> {
  const store = db.open();
  try {
    const pubs = await store.db.selectFrom('publications').select('id').execute();
    const users = await store.db.selectFrom('users').select('id').execute();
    return [pubs.length, users.length];
  } finally {
    await store.close();
  }
}

for (const backend of await cliBackends()) {
  // SQLite is the embedded default only without a relay: with one, it is a real newsroom too.
  const notEmbedded = backend.name === 'sqlite' ? { SMTP_URL: 'smtp://relay.example.net:587', PUBLIC_URL: 'https://news.example.org' } : {};

  test(`serve leaves an empty ${backend.name} newsroom empty unless --demo`, { timeout: 180_000 }, async (t) => {
    const db = await backend.create();
    t.after(() => db.dispose());
    const plain = await banner(db, [], notEmbedded);
    assert.doesNotMatch(plain, /password/i, plain);
    assert.doesNotMatch(plain, /demo (newsroom created|editor account)/, plain);
    assert.match(plain, /empty newsroom: add a publication/);
    assert.deepEqual(await publicationsAndUsers(db), [0, 0]);

    const demo = await banner(db, ['--demo'], notEmbedded);
    assert.match(demo, /demo newsroom created/);
    assert.match(demo, /demo editor account: editor@example\.org \/ password \S+/);
    const [publications, users] = await publicationsAndUsers(db);
    assert.equal(publications, 2);
    assert.equal(users, 1);
  });
}
