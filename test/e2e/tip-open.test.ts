// An editor opens a tip in the dashboard with their private key in chromium:
// the message shows as text and the file as a download with its own name,
// decrypted in the page (the key is never posted).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { chromium } from 'playwright-core';
import { testBackends } from '../helpers/store.ts';
import { EDITOR, newsroom } from '../web/harness.ts';
import { goodKey } from '../helpers/tip-keys.ts';
import { multipart } from '../helpers/multipart.ts';
import { setPersonKey } from '../../src/store/people.ts';
import { listTips } from '../../src/store/tips.ts';

const CHROMIUM = '/usr/bin/chromium';
const skip = existsSync(CHROMIUM) ? false : `Debian's chromium is not installed at ${CHROMIUM}`;

test('an editor opens a tip in the browser with their private key', { skip, timeout: 120_000 }, async (t) => {
  const [sqlite] = await testBackends();
  const n = await newsroom(sqlite!);
  t.after(() => n.close());
  const key = await goodKey(EDITOR.email);
  await setPersonKey(n.store, EDITOR.email, key.publicKey);
  await n.app.inject({ method: 'POST', url: '/tech-matin/tips', ...multipart({ message: 'Le rapport est daté du 3 mars.' }, [{ name: 'rapport.txt', data: Buffer.from('contenu du rapport') }]) });
  const [tip] = await listTips(n.store, [n.ids.techMatin]);
  await n.app.listen({ port: 0, host: '127.0.0.1' });
  const address = n.app.server.address();
  const base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--no-first-run'] });
  t.after(() => browser.close());
  const page = await browser.newPage({ acceptDownloads: true });
  const posts: string[] = [];
  page.on('request', (r) => {
    if (r.method() === 'POST') posts.push(`${r.url()} ${r.postData() ?? ''}`);
  });
  await page.goto(`${base}/newsroom/sign-in`);
  await page.getByLabel('Email address').fill(EDITOR.email);
  await page.getByLabel('Password').fill(EDITOR.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(`${base}/newsroom`);
  await page.goto(`${base}/newsroom/tips/${tip!.id}`);
  await page.getByLabel('Your private key, ASCII-armoured').fill(key.privateKey);
  await page.getByRole('button', { name: 'Open the tip here' }).click();
  await page.getByText('Le rapport est daté du 3 mars.').waitFor();
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'rapport.txt' }).click()]);
  assert.equal(download.suggestedFilename(), 'rapport.txt');
  const path = await download.path();
  assert.equal(readFileSync(path).toString(), 'contenu du rapport');
  assert.ok(posts.every((p) => !p.includes('PRIVATE KEY')), 'the private key never left the page');
});
