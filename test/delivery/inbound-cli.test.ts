// `matinale inbound` as an MTA runs it: a real child process per message on
// standard input (a postfix `pipe` transport), with sysexits statuses; and as
// production runs the listener, in a process of its own.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import nodemailer from 'nodemailer';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AudienceKeys } from '../../src/audience/keys.ts';
import { signToken } from '../../src/audience/tokens.ts';
import { openStore } from '../../src/store/db.ts';
import { migrateToLatest } from '../../src/store/migrate.ts';
import { PUBLIC, SECRET, seedNewsroom } from './newsroom-fixture.ts';

const DOMAIN = new URL(PUBLIC).hostname;

function inbound(env: NodeJS.ProcessEnv, input: string, ...args: string[]) {
  const r = spawnSync(process.execPath, ['bin/matinale.js', 'inbound', ...args], { env: { ...process.env, ...env }, input, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('matinale inbound --stdin: a mailto unsubscribe is handled (0), junk is dropped (0), an unreachable store asks the MTA to retry (75)', { timeout: 180_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'matinale-inbound-'));
  const env = { DATA_DIR: dir, DATABASE_URL: '', SMTP_URL: '', PUBLIC_URL: PUBLIC, MATINALE_SECRET: SECRET, DKIM_DOMAIN: '', DKIM_SELECTOR: '', DKIM_PRIVATE_KEY_FILE: '' };
  const store = openStore({ dataDir: dir });
  try {
    await migrateToLatest(store);
    const newsroom = await seedNewsroom(store, 3);
    const reader = newsroom.active[0]!;
    const subscriberId = newsroom.subscriberIds.get(reader)!;
    const token = signToken(new AudienceKeys(SECRET), { purpose: 'unsubscribe', subscriberId, publicationId: newsroom.publicationId, issuedAt: Date.now() });
    const to = `unsubscribe+${token}@${DOMAIN}`;
    const mail = `From: ${reader}\r\nTo: ${to}\r\nSubject: unsubscribe\r\n\r\nunsubscribe\r\n`;

    const handled = inbound(env, mail, '--stdin', '--recipient', to);
    assert.equal(handled.code, 0, handled.stderr);
    const sub = await store.db.selectFrom('subscriptions').select('status').where('subscriber_id', '=', subscriberId).executeTakeFirstOrThrow();
    assert.equal(sub.status, 'unsubscribed');
    const consent = await store.db.selectFrom('consent_log').select(['action', 'method']).where('subscriber_id', '=', subscriberId).execute();
    assert.deepEqual(consent.at(-1), { action: 'unsubscribe', method: 'mail' });
    assert.ok(!handled.stderr.includes(token) && !handled.stderr.includes(reader), 'neither token nor address on stderr');

    const junk = inbound(env, 'Subject: out of office\r\n\r\naway\r\n', '--stdin', '--recipient', `bounces+1-1-0000000000000000@${DOMAIN}`);
    assert.equal(junk.code, 0, junk.stderr);
    assert.match(junk.stderr, /"result":"dropped"/);

    const down = inbound({ ...env, DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none' }, mail, '--stdin', '--recipient', to);
    assert.equal(down.code, 75, down.stderr);
    assert.match(down.stderr, /retry/);

    assert.equal(inbound(env, mail, '--stdin').code, 2, 'the recipient is required');
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('matinale inbound --listen: the listener in a process of its own takes a mailto unsubscribe and stops on SIGTERM', { timeout: 120_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'matinale-inbound-'));
  const env = { DATA_DIR: dir, DATABASE_URL: '', SMTP_URL: '', INBOUND_SMTP: '', PUBLIC_URL: PUBLIC, MATINALE_SECRET: SECRET, DKIM_DOMAIN: '', DKIM_SELECTOR: '', DKIM_PRIVATE_KEY_FILE: '' };
  const store = openStore({ dataDir: dir });
  try {
    await migrateToLatest(store);
    const newsroom = await seedNewsroom(store, 2);
    const subscriberId = newsroom.subscriberIds.get(newsroom.active[0]!)!;
    const token = signToken(new AudienceKeys(SECRET), { purpose: 'unsubscribe', subscriberId, publicationId: newsroom.publicationId, issuedAt: Date.now() }, { caseless: true });
    const child = spawn(process.execPath, ['bin/matinale.js', 'inbound', '--listen', '127.0.0.1:0'], { env: { ...process.env, ...env } });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (t: string) => (out += t));
    child.stderr.resume();
    const exited = once(child, 'exit');
    try {
      while (!/listening on smtp:\/\/127\.0\.0\.1:(\d+)/.test(out)) {
        assert.equal(child.exitCode, null, 'the listener exited early');
        await new Promise((r) => setTimeout(r, 50));
      }
      const port = Number(/listening on smtp:\/\/127\.0\.0\.1:(\d+)/.exec(out)![1]);
      const client = nodemailer.createTransport({ host: '127.0.0.1', port, secure: false, ignoreTLS: true });
      await client.sendMail({ envelope: { from: 'reader@example.net', to: [`unsubscribe+${token}@${DOMAIN}`] }, raw: 'Subject: unsubscribe\r\n\r\nunsubscribe\r\n' });
      client.close();
      const sub = await store.db.selectFrom('subscriptions').select('status').where('subscriber_id', '=', subscriberId).executeTakeFirstOrThrow();
      assert.equal(sub.status, 'unsubscribed');
    } finally {
      child.kill('SIGTERM');
    }
    const [code] = await exited;
    assert.equal(code, 0);
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
