// `serve` (in this process) on an ephemeral port: every link the audience
// mails and pages hold points at the port it actually listens on when
// PUBLIC_URL is not set, and at PUBLIC_URL when it is.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serve } from '../../src/cli/serve.ts';
import { loadConfig } from '../../src/config.ts';
import { linkInText, outbox, type ReadMail } from '../audience/mail-reader.ts';

/** Subscribes through the archive's form as a browser does: its cookies and hidden fields come along. */
async function subscribeThroughForm(url: string, slug: string, email: string): Promise<Response> {
  const archive = await fetch(`${url}/${slug}`);
  const cookie = archive.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
  const page = await archive.text();
  const form = new URLSearchParams();
  for (const m of page.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) form.append(m[1]!, m[2]!);
  form.append('email', email);
  return fetch(`${url}/${slug}/subscribe`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', cookie }, body: form.toString() });
}

function allLinks(mail: ReadMail): string[] {
  return [...`${mail.text}\n${mail.html}\n${mail.headers.get('list-unsubscribe') ?? ''}`.matchAll(/https?:\/\/[^\s<>"')]+/g)].map((m) => m[0]);
}

test('links in audience mails and pages follow the port serve listens on', { timeout: 180_000 }, async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'matinale-serve-port-'));
  t.after(() => rmSync(dataDir, { recursive: true, force: true }));
  const server = await serve({ port: 0, host: '127.0.0.1', worker: false, env: { DATA_DIR: dataDir }, out: () => {} });
  t.after(() => server.close());
  const { url } = server;
  assert.match(url, /^http:\/\/localhost:\d+$/);
  assert.notEqual(url, 'http://localhost:3000');
  const mails = () => outbox(join(dataDir, 'outbox')).filter((m) => m.to.includes('reader@example.org'));

  assert.equal((await subscribeThroughForm(url, 'tech-matin', 'reader@example.org')).status, 200);
  const confirmation = mails().at(-1)!;
  assert.match(confirmation.subject, /Confirmez/);
  const confirm = linkInText(confirmation, '/confirm/');
  assert.ok(confirm.startsWith(`${url}/confirm/`), confirm);

  assert.equal((await fetch(confirm, { method: 'POST' })).status, 200);
  const welcome = mails().at(-1)!;
  assert.match(welcome.subject, /Bienvenue/);
  const listUnsubscribe = /^<([^>]+)>/.exec(welcome.headers.get('list-unsubscribe') ?? '')?.[1];
  assert.ok(listUnsubscribe?.startsWith(`${url}/unsubscribe/`), listUnsubscribe);

  // The « Rester inscrit » link of the unsubscribe page.
  const unsubscribePage = await (await fetch(listUnsubscribe!)).text();
  assert.ok(unsubscribePage.includes(`href="${url}/tech-matin">Rester inscrit`), 'stay link follows the port');

  // Policy-morning ticked on the preferences page: the page never subscribes
  // by itself, it mails that publication's confirmation, whose link and
  // welcome follow the port too.
  const preferences = linkInText(welcome, '/preferences/');
  const page = await (await fetch(preferences)).text();
  const ids = [...page.matchAll(/name="publication" value="(\d+)"/g)].map((m) => m[1]!);
  const formToken = /name="_csrf" value="([^"]+)"/.exec(page)?.[1];
  assert.ok(formToken, 'the preferences form carries its token');
  const choice = new URLSearchParams([['_csrf', formToken], ...ids.map((id): [string, string] => ['publication', id])]);
  assert.equal((await fetch(preferences, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: choice.toString() })).status, 200);
  const joining = mails().at(-1)!;
  assert.match(joining.subject, /confirm/i);
  assert.ok(linkInText(joining, '/confirm/').startsWith(`${url}/confirm/`), 'confirmation link follows the port');
  assert.equal((await fetch(linkInText(joining, '/confirm/'), { method: 'POST' })).status, 200);
  const joined = mails().at(-1)!;
  assert.match(joined.subject, /Welcome to Policy Morning/);
  for (const mail of [confirmation, welcome, joining, joined]) {
    const links = allLinks(mail);
    assert.ok(links.length > 0, mail.subject);
    for (const link of links) assert.ok(!link.startsWith('http://localhost:3000'), `${mail.subject}: ${link}`);
    assert.ok(links.some((l) => l.startsWith(`${url}/`)), mail.subject);
  }
});

test('PUBLIC_URL, when set, wins over the listening address', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'matinale-serve-url-'));
  try {
    const listening = { host: '0.0.0.0', port: 3911 };
    assert.equal(loadConfig({ DATA_DIR: dataDir }, { listening }).publicUrl, 'http://localhost:3911');
    assert.equal(loadConfig({ DATA_DIR: dataDir, PUBLIC_URL: 'https://news.example.org/' }, { listening }).publicUrl, 'https://news.example.org');
    assert.equal(loadConfig({ DATA_DIR: dataDir }, { listening: { host: 'news.lan', port: 8080 } }).publicUrl, 'http://news.lan:8080');
    assert.equal(loadConfig({ DATA_DIR: dataDir }).publicUrl, 'http://localhost:3000');
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test('serve refuses to mail readers through a relay with links to its own loopback address', { timeout: 60_000 }, async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'matinale-serve-relay-'));
  t.after(() => rmSync(dataDir, { recursive: true, force: true }));
  const env = { DATA_DIR: dataDir, SMTP_URL: 'smtp://relay.example.net:587' };
  await assert.rejects(serve({ port: 0, host: '127.0.0.1', worker: true, env, out: () => {} }), /PUBLIC_URL is not set .*refusing to deliver through SMTP_URL/);
  // With the public address set, the same relay is fine (nothing is sent here: no edition is due).
  const server = await serve({ port: 0, host: '127.0.0.1', worker: false, env: { ...env, PUBLIC_URL: 'https://news.example.org' }, out: () => {} });
  await server.close();
});
