// `matinale serve` as a newcomer runs it (`npm start` runs exactly this): a
// child process on an empty DATA_DIR migrates, seeds the demo newsroom, prints
// the URL and the demo account, answers with the demo edition, lets the demo
// editor sign in, and stops cleanly on SIGTERM.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

test('matinale serve on an empty data folder shows the demo newsroom', { timeout: 90_000 }, async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'matinale-serve-'));
  t.after(() => rmSync(dataDir, { recursive: true, force: true }));
  const env = { ...process.env, DATA_DIR: dataDir, PUBLIC_URL: '', DATABASE_URL: '', SMTP_URL: '', MATINALE_SECRET: '' };
  const child = spawn(process.execPath, ['bin/matinale.js', 'serve', '--port', '0'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  t.after(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });

  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no URL printed in time:\n${stdout}\n${stderr}`)), 60_000);
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
      const m = /Matinale is running at (http:\/\/\S+)/.exec(stdout);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    child.on('exit', (code) => reject(new Error(`serve exited with ${code}:\n${stdout}\n${stderr}`)));
  });
  // The rest of the banner comes in the same write or just after.
  await new Promise((resolve) => setTimeout(resolve, 300));

  const account = /demo editor account: (\S+) \/ password (\S+)/.exec(stdout);
  assert.ok(account, `demo account printed:\n${stdout}`);
  assert.match(stdout, /delivery worker and scheduler: running/);

  const page = await fetch(`${url}/tech-matin/2026-03-02`);
  assert.equal(page.status, 200);
  const body = await page.text();
  assert.match(body, /<html lang="fr">/);
  assert.match(body, /Tech Matin/);
  assert.ok(body.includes(`<link rel="canonical" href="${url}/tech-matin/2026-03-02">`), "links follow the port");
  assert.equal((await fetch(`${url}/policy-morning/2026-03-02`)).status, 200);
  assert.equal((await fetch(`${url}/healthz`)).status, 200);

  // The printed account signs in (form with its CSRF token, as a browser would post it).
  const form = await fetch(`${url}/newsroom/sign-in`);
  const cookies = form.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
  const csrf = /name="_csrf" value="([^"]+)"/.exec(await form.text())![1]!;
  const signIn = await fetch(`${url}/newsroom/sign-in`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: cookies },
    body: new URLSearchParams({ _csrf: csrf, email: account[1]!, password: account[2]!, next: '/newsroom' }).toString(),
  });
  assert.equal(signIn.status, 303);
  const jar = [cookies, ...signIn.headers.getSetCookie().map((c) => c.split(';')[0])].join('; ');
  // Forms carry a token bound to the session: take it from a page seen signed in.
  const dashboard = await (await fetch(`${url}/newsroom`, { headers: { cookie: jar } })).text();
  const token = /name="_csrf" value="([^"]+)"/.exec(dashboard)![1]!;

  // Send the French edition to the demo list: the in-process worker delivers it to the outbox.
  const editions = (await (await fetch(`${url}/api/editions`, { headers: { cookie: jar } })).json()) as { editions: Array<{ id: number; publication: string }> };
  const tech = editions.editions.find((e) => e.publication === 'tech-matin')!;
  // A send to the list goes through its confirmation page, whose form carries the signed confirmation.
  const confirm = await (await fetch(`${url}/newsroom/editions/${tech.id}/send/confirm?when=now`, { headers: { cookie: jar } })).text();
  const confirmation = /name="confirmation" value="([^"]+)"/.exec(confirm)![1]!;
  const send = await fetch(`${url}/newsroom/editions/${tech.id}/send`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: jar },
    body: new URLSearchParams({ _csrf: token, kind: 'list', confirmation }).toString(),
  });
  assert.equal(send.status, 303);
  let sent = 0;
  for (let i = 0; i < 150 && sent < 4; i++) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    const sends = (await (await fetch(`${url}/api/sends`, { headers: { cookie: jar } })).json()) as { sends: Array<{ counts: { sent: number } }> };
    sent = sends.sends[0]?.counts.sent ?? 0;
  }
  assert.equal(sent, 4, 'the four demo subscribers');
  const outbox = await (await fetch(`${url}/newsroom/outbox`, { headers: { cookie: jar } })).text();
  assert.equal((outbox.match(/href="\/newsroom\/outbox\/[^"]+"/g) ?? []).length, 4);

  child.kill('SIGTERM');
  assert.equal(await exited, 0, stderr);
});
