// Every newsroom and public page (pages.ts) in Chromium, at 1280 and 375 px:
// at 375 px the document is no wider than the viewport (no sideways
// scrolling); axe-core finds no serious or critical violation at either width;
// and a full-page screenshot of each is kept under test/.tmp/screenshots (a
// test artifact, not committed).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { chromiumSkip, launchChromium, listenLocally, signInThroughForm } from '../helpers/browser.ts';
import { testBackends } from '../helpers/store.ts';
import { newsroom, subscribeThroughForm, type Newsroom } from '../web/harness.ts';
import { linkInText, outbox } from '../audience/mail-reader.ts';
import { addAccount } from '../../src/web/auth/accounts.ts';
import { requestSend } from '../../src/delivery/sends.ts';
import { sendProgress } from '../../src/delivery/progress.ts';
import { startWorker } from '../../src/delivery/worker.ts';
import { until } from '../helpers/until.ts';
import { NEWSROOM_PAGES, PUBLIC_PAGES, type SweepWorld, type SweptPage } from './pages.ts';

const skip = chromiumSkip;
const SHOTS = fileURLToPath(new URL('../.tmp/screenshots/', import.meta.url));
const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
const ADMIN = { email: 'sweep.admin@example.org', password: 'sweep-admin-password-1' };
const WIDTHS = [1280, 375] as const;

let browser: Browser | undefined;
let n: Newsroom | undefined;
let world: SweepWorld | undefined;
let base = '';

/** A test send of Tech Matin's edition, through the worker into the outbox: the message page's subject. */
async function outboxMessage(n: Newsroom): Promise<{ outboxFile: string; sendId: number }> {
  const deps = { store: n.store, clock: n.clock, publicUrl: n.config.publicUrl, mailDomain: 'news.test' };
  const send = await requestSend(deps, { editionId: n.ids.techEdition, test: ['sweep.reader@example.net'], createdBy: ADMIN.email });
  const quiet = { info() {}, warn() {}, error() {}, debug() {} };
  const worker = startWorker({ store: n.store, config: n.config, clock: n.clock, scheduler: false, pollMs: 20, logger: quiet as never });
  try {
    await until(async () => (await sendProgress(n.store, send.id, n.clock.now()))?.remaining === 0, 'the test send', 20_000);
  } finally {
    await worker.stop();
  }
  const row = await n.store.db.selectFrom('recipients').select('id').where('send_id', '=', send.id).executeTakeFirstOrThrow();
  return { outboxFile: `${send.id}.${row.id}.matinale@news.test.eml`, sendId: send.id };
}

/** A reader subscribes and confirms: their confirmation and welcome mails hold the public pages' links. */
async function readerLinks(n: Newsroom): Promise<Pick<SweepWorld, 'confirmPath' | 'unsubscribePath' | 'preferencesPath' | 'subscriberId'>> {
  const email = 'sweep.reader@example.net';
  await subscribeThroughForm(n.app, 'tech-matin', { email });
  const mails = () => outbox(join(n.config.dataDir, 'outbox')).filter((m) => m.to.includes(email));
  const confirmPath = new URL(linkInText(mails().at(-1), '/confirm/')).pathname;
  const confirmed = await n.app.inject({ method: 'POST', url: confirmPath });
  assert.equal(confirmed.statusCode, 200);
  const welcome = mails().at(-1);
  const subscriber = await n.store.db.selectFrom('subscribers').select('id').where('email', '=', email).executeTakeFirstOrThrow();
  return {
    subscriberId: subscriber.id,
    confirmPath,
    unsubscribePath: new URL(linkInText(welcome, '/unsubscribe/')).pathname,
    preferencesPath: new URL(linkInText(welcome, '/preferences/')).pathname,
  };
}

before(async () => {
  if (skip) return;
  const [sqlite] = await testBackends();
  n = await newsroom(sqlite!);
  // An admin of every publication sees every newsroom page.
  await addAccount(n.store, { ...ADMIN, role: 'admin' }, n.clock);
  world = { n, ...(await outboxMessage(n)), ...(await readerLinks(n)) };
  base = await listenLocally(n.app);
  browser = await launchChromium();
  mkdirSync(SHOTS, { recursive: true });
});

after(async () => {
  await browser?.close();
  await n?.close();
});

/** A browser context at a width; signed in as the admin for newsroom pages. axe is injected, so the page's CSP is bypassed. */
async function context(width: number, signedIn: boolean): Promise<BrowserContext> {
  const ctx = await browser!.newContext({ viewport: { width, height: 800 }, bypassCSP: true });
  if (signedIn) {
    const page = await ctx.newPage();
    await signInThroughForm(page, base, ADMIN);
    await page.close();
  }
  return ctx;
}

interface Finding {
  page: string;
  width: number;
  problem: string;
}

async function sweep(page: Page, swept: SweptPage, width: number): Promise<Finding[]> {
  const findings: Finding[] = [];
  const path = typeof swept.path === 'string' ? swept.path : swept.path(world!);
  await page.goto(`${base}${path}`, { waitUntil: 'load' });
  // Scripts run in the page, written as text (the tests are type-checked without the DOM's types).
  const size = (await page.evaluate('({ document: document.documentElement.scrollWidth, viewport: window.innerWidth })')) as { document: number; viewport: number };
  if (size.document > size.viewport) {
    // Name the elements that reach past the viewport, so that the fix is easy to find.
    const culprits = (await page.evaluate(`[...document.querySelectorAll('body *')]
      .filter((e) => e.getBoundingClientRect().right > ${size.viewport} + 1 || (e.scrollWidth > e.clientWidth && getComputedStyle(e).overflowX === 'visible'))
      .slice(-3)
      .map((e) => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + (typeof e.className === 'string' && e.className ? '.' + e.className.split(' ')[0] : ''))`)) as string[];
    findings.push({ page: swept.name, width, problem: `document ${size.document} px wide in a ${size.viewport} px viewport (${culprits.join(', ')})` });
  }
  await page.addScriptTag({ path: AXE });
  const violations = (await page.evaluate(`axe.run().then((r) => r.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help, targets: v.nodes.slice(0, 3).map((x) => x.target.join(' ')),
  })))`)) as Array<{ id: string; impact: string; help: string; targets: string[] }>;
  for (const v of violations.filter((x) => x.impact === 'serious' || x.impact === 'critical')) {
    findings.push({ page: swept.name, width, problem: `axe ${v.impact} ${v.id}: ${v.help} (${v.targets.join('; ')})` });
  }
  await page.screenshot({ path: join(SHOTS, `${swept.name}-${width}.png`), fullPage: true });
  return findings;
}

test('every newsroom and public page at 1280 and 375 px: no sideways scrolling, no serious axe violation, a screenshot', { skip, timeout: 300_000 }, async () => {
  const findings: Finding[] = [];
  for (const width of WIDTHS) {
    for (const [signedIn, pages] of [[true, NEWSROOM_PAGES], [false, PUBLIC_PAGES]] as const) {
      const ctx = await context(width, signedIn);
      const page = await ctx.newPage();
      try {
        for (const swept of pages) findings.push(...(await sweep(page, swept, width)));
      } finally {
        await ctx.close();
      }
    }
  }
  assert.deepEqual(findings.map((f) => `${f.page} at ${f.width}: ${f.problem}`), []);
  for (const swept of [...NEWSROOM_PAGES, ...PUBLIC_PAGES]) {
    for (const width of WIDTHS) assert.ok(existsSync(join(SHOTS, `${swept.name}-${width}.png`)), `screenshot of ${swept.name} at ${width}`);
  }
});
