// `matinale send`, `sends --resend` and `matinale worker` run apart from the web app and build
// every link of every mail from PUBLIC_URL. Unset (and no publicUrl in
// matinale.yaml), the links would point at localhost: refused through a
// relay, one warning line with the local outbox. Real processes, as an operator runs them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '../../src/store/db.ts';
import { startWorkerProcess } from '../helpers/worker-process.ts';

const RELAY = 'smtp://127.0.0.1:9'; // never contacted: the commands refuse, or only schedule, before any delivery

function matinale(env: NodeJS.ProcessEnv, ...args: string[]) {
  const r = spawnSync(process.execPath, ['bin/matinale.js', ...args], { env: { ...process.env, ...env }, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const warnings = (stderr: string) => stderr.split('\n').filter((l) => /warning/.test(l));

test('send to the list and worker refuse a relay without PUBLIC_URL, naming it; a test send and the outbox only warn, once', { timeout: 300_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'matinale-public-url-'));
  // PUBLIC_URL emptied: the test must not inherit one from the machine.
  const env = { DATA_DIR: dir, DATABASE_URL: '', SMTP_URL: '', PUBLIC_URL: '', MATINALE_SECRET: 'c'.repeat(64) };
  const sends = async () => {
    const store = openStore({ dataDir: dir });
    try {
      return await store.db.selectFrom('sends').select(['id', 'kind']).orderBy('id').execute();
    } finally {
      await store.close();
    }
  };
  try {
    assert.equal(matinale(env, 'publication', 'add', 'examples/publications/tech-matin.yaml').code, 0);
    const added = matinale(env, 'edition', 'add', 'examples/2026-03-02-tech-matin.md', '--approve', '--json');
    assert.equal(added.code, 0, added.stderr);
    const editionId = String((JSON.parse(added.stdout) as { id: number }).id);
    writeFileSync(join(dir, 'list.csv'), 'email\nreader1@example.net\nreader2@example.net\n');
    assert.equal(matinale(env, 'subscribers', 'import', join(dir, 'list.csv'), '--publication', 'tech-matin', '--confirmed', '--consent-source', 'test').code, 0);

    const relay = { ...env, SMTP_URL: RELAY };
    const refused = matinale(relay, 'send', editionId, '--now');
    assert.equal(refused.code, 1, refused.stderr);
    assert.match(refused.stderr, /PUBLIC_URL is not set .*would point at http:\/\/localhost:3000: refusing to deliver through SMTP_URL; set PUBLIC_URL/);
    assert.deepEqual(await sends(), [], 'refused before the send was created');

    const worker = matinale(relay, 'worker');
    assert.equal(worker.code, 1, worker.stderr);
    assert.match(worker.stderr, /PUBLIC_URL is not set .*refusing to deliver through SMTP_URL/);

    const testSend = matinale(relay, 'send', editionId, '--test', 'desk@example.org');
    assert.equal(testSend.code, 0, testSend.stderr);
    assert.equal(warnings(testSend.stderr).length, 1, testSend.stderr);
    assert.match(testSend.stderr, /^matinale: warning: PUBLIC_URL is not set .*test send/m);

    // The outbox: delivered, with one warning line.
    const local = matinale(env, 'send', editionId, '--now', '--wait', '--json');
    assert.equal(local.code, 0, local.stderr);
    assert.equal(JSON.parse(local.stdout.trim().split('\n').pop()!).counts.sent, 2);
    assert.deepEqual(warnings(local.stderr), [
      'matinale: warning: PUBLIC_URL is not set (nor publicUrl in matinale.yaml), so every link in the mail (unsubscribe, preferences, web version) would point at http://localhost:3000; fine for the local outbox, set PUBLIC_URL before delivering to readers',
    ]);
    assert.deepEqual((await sends()).map((s) => s.kind), ['test', 'list']);

    // A resend builds its message in the command too: refused the same way.
    const store = openStore({ dataDir: dir });
    const listSend = (await sends()).find((s) => s.kind === 'list')!;
    try {
      await store.db.updateTable('recipients').set({ state: 'failed' }).where('send_id', '=', listSend.id).execute();
    } finally {
      await store.close();
    }
    const resend = matinale(relay, 'sends', String(listSend.id), '--resend');
    assert.equal(resend.code, 1, resend.stderr);
    assert.match(resend.stderr, /PUBLIC_URL is not set .*refusing to deliver through SMTP_URL/);
    assert.equal((await sends()).length, 2, 'no resend created');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a public URL from matinale.yaml counts as configured: send through a relay goes ahead, without a warning', { timeout: 300_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'matinale-public-url-'));
  const env = { DATA_DIR: dir, DATABASE_URL: '', SMTP_URL: '', PUBLIC_URL: '', MATINALE_SECRET: 'c'.repeat(64) };
  try {
    writeFileSync(join(dir, 'matinale.yaml'), 'publicUrl: https://news.example.org\n');
    assert.equal(matinale(env, 'publication', 'add', 'examples/publications/tech-matin.yaml').code, 0);
    const added = matinale(env, 'edition', 'add', 'examples/2026-03-02-tech-matin.md', '--approve', '--json');
    const editionId = String((JSON.parse(added.stdout) as { id: number }).id);
    // Scheduled by the command, delivered later by a worker: nothing is sent to the relay here.
    const scheduled = matinale({ ...env, SMTP_URL: RELAY }, 'send', editionId, '--at', '2099-03-02T06:00:00+01:00');
    assert.equal(scheduled.code, 0, scheduled.stderr);
    assert.match(scheduled.stdout, /scheduled for 2099-03-02T05:00:00.000Z/);
    assert.deepEqual(warnings(scheduled.stderr), []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('matinale worker with the outbox and no PUBLIC_URL warns once, then works (exits 0 on SIGTERM)', { timeout: 180_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'matinale-public-url-'));
  try {
    const worker = await startWorkerProcess({ DATA_DIR: dir, DATABASE_URL: '', SMTP_URL: '', PUBLIC_URL: '', MATINALE_SECRET: 'c'.repeat(64) });
    const { code, stderr } = await worker.stop();
    assert.equal(code, 0, stderr);
    assert.equal(warnings(stderr).length, 1, stderr);
    assert.match(stderr, /^matinale: warning: PUBLIC_URL is not set .*fine for the local outbox/m);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
