// Browser tests' one way to start: Debian's chromium through playwright-core
// (skipped with the reason when it is not installed), the app listening on an
// ephemeral loopback port, and a sign-in through the form.
import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { FastifyInstance } from 'fastify';
import { after, before } from 'node:test';
import { testBackends } from './store.ts';
import { newsroom, type Newsroom } from '../web/harness.ts';

export const CHROMIUM = '/usr/bin/chromium';
/** A test's `skip` option: false, or why browser tests cannot run here. */
export const chromiumSkip: false | string = existsSync(CHROMIUM) ? false : `Debian's chromium is not installed at ${CHROMIUM} (apt-get install chromium)`;

/** Debian's chromium, headless, without the background traffic a test does not need. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}

/** Makes the app listen on a free loopback port; returns its base URL. */
export async function listenLocally(app: FastifyInstance): Promise<string> {
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  return `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
}

/** Signs in through the newsroom's form and waits for the editions list. */
export async function signInThroughForm(page: Page, base: string, who: { email: string; password: string }): Promise<void> {
  await page.goto(`${base}/newsroom/sign-in`);
  await page.getByLabel('Email address').fill(who.email);
  await page.getByLabel('Password').fill(who.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(`${base}/newsroom`);
}

/** What `browserNewsroom` holds once its `before` hook ran. */
export interface BrowserNewsroom {
  n: Newsroom;
  browser: Browser;
  base: string;
}

/**
 * Registers the hooks of a browser test file: before, the sample newsroom on
 * SQLite (with `prepare` run on it), listening, and chromium; after, both
 * closed. Nothing starts when chromium is missing (`chromiumSkip`).
 */
export function browserNewsroom(prepare?: (n: Newsroom) => Promise<void>): BrowserNewsroom {
  const held = {} as BrowserNewsroom;
  before(async () => {
    if (chromiumSkip) return;
    const [sqlite] = await testBackends();
    held.n = await newsroom(sqlite!);
    await prepare?.(held.n);
    held.base = await listenLocally(held.n.app);
    held.browser = await launchChromium();
  });
  after(async () => {
    await held.browser?.close();
    await held.n?.close();
  });
  return held;
}
