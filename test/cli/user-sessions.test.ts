// Sessions end when they should: a new password (`matinale user add` again)
// ends the account's sessions, `user sign-out` ends them, `user disable` ends
// them and refuses the sign-in. The real command as a child process, on each
// backend, against an app signed in through real HTTP (Fastify inject).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { cliBackends, type RunResult } from '../helpers/cli-database.ts';
import { migrateToLatest } from '../../src/store/migrate.ts';
import { upsertPublication } from '../../src/store/publications.ts';
import { addAccount } from '../../src/web/auth/accounts.ts';
import { buildApp } from '../../src/web/app.ts';
import { systemClock } from '../../src/clock.ts';
import { Visitor, samplePublication } from '../web/harness.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** `matinale ARGS` as a child process, with `input` on its stdin. */
function runMatinale(args: string[], env: NodeJS.ProcessEnv, input = ''): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(ROOT, 'bin/matinale.js'), ...args], { env, cwd: ROOT });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
    child.stdin.end(input);
  });
}

const EMAIL = 'chief@example.org';
const FIRST = 'first-password-123';
const SECOND = 'second-password-456';

for (const backend of await cliBackends()) {
  test(`sessions end on password change, sign-out and disable on ${backend.name}`, { timeout: 180_000 }, async (t) => {
    const db = await backend.create();
    const store = db.open();
    const dataDir = mkdtempSync(join(tmpdir(), 'matinale-sessions-'));
    t.after(async () => {
      await store.close();
      await db.dispose();
      rmSync(dataDir, { recursive: true, force: true });
    });
    await migrateToLatest(store);
    await upsertPublication(store, samplePublication('tech-matin'), { actor: 'test', clock: systemClock });
    await addAccount(store, { email: EMAIL, password: FIRST, role: 'admin' }, systemClock);
    const app = await buildApp({ store, config: { dataDir, smtpUrls: [], publicUrl: 'http://news.test', secret: 'd'.repeat(64) }, clock: systemClock });
    t.after(() => app.close());
    const signedIn = async (v: Visitor) => (await v.get('/newsroom')).statusCode === 200;

    // Two browsers; a new password from the CLI ends both.
    const laptop = new Visitor(app);
    const phone = new Visitor(app);
    await laptop.signIn({ email: EMAIL, password: FIRST });
    await phone.signIn({ email: EMAIL, password: FIRST });
    const changed = await runMatinale(['user', 'add', EMAIL, '--role', 'admin', '--password-stdin'], db.env, `${SECOND}\n`);
    assert.equal(changed.status, 0, changed.stderr);
    assert.equal(await signedIn(laptop), false, 'the laptop’s session ended with the password change');
    assert.equal(await signedIn(phone), false, 'the phone’s too');

    // sign-out ends every session; the password still works afterwards.
    await laptop.signIn({ email: EMAIL, password: SECOND });
    const out = await runMatinale(['user', 'sign-out', 'Chief@Example.org'], db.env);
    assert.equal(out.status, 0, out.stderr);
    assert.match(out.stdout, /chief@example\.org: 1 session ended/);
    assert.equal(await signedIn(laptop), false);
    await laptop.signIn({ email: EMAIL, password: SECOND });

    // disable: the session ends and the right password no longer signs in.
    const disabled = await runMatinale(['user', 'disable', EMAIL], db.env);
    assert.equal(disabled.status, 0, disabled.stderr);
    assert.match(disabled.stdout, /chief@example\.org is disabled; 1 session ended/);
    assert.equal(await signedIn(laptop), false);
    const again = new Visitor(app);
    await again.get('/newsroom/sign-in');
    assert.equal((await again.post('/newsroom/sign-in', { email: EMAIL, password: SECOND, next: '/newsroom' })).statusCode, 401);

    const unknown = await runMatinale(['user', 'disable', 'nobody@example.org'], db.env);
    assert.equal(unknown.status, 1);
    assert.match(unknown.stderr, /no account has the address nobody@example\.org/);
  });
}
