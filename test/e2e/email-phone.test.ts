// The email and the preview in a real browser (Debian's chromium through
// playwright-core): at phone width every part of the email is visible and
// nothing scrolls sideways; the preview page loads and follows a save.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { loadEdition } from '../../src/edition/load.ts';
import { renderEmail } from '../../src/render/email.ts';
import { renderWeb } from '../../src/render/web.ts';
import { escapeHtml } from '../../src/render/html-escape.ts';
import { fillPlaceholders, SAMPLE_PLACEHOLDER_VALUES } from '../../src/render/placeholders.ts';
import { startPreview } from '../../src/cli/preview.ts';

// Browser globals, used inside page.evaluate only: the project compiles without the DOM library.
interface BrowserElement {
  closest(selector: string): BrowserElement | null;
}
declare const document: {
  documentElement: { scrollWidth: number; clientWidth: number };
  querySelector(selector: string): BrowserElement | null;
};
declare function getComputedStyle(element: BrowserElement): { color: string; backgroundColor: string };

const CHROMIUM = '/usr/bin/chromium';
const skip = existsSync(CHROMIUM) ? false : `Debian's chromium is not installed at ${CHROMIUM} (apt-get install chromium)`;
const FIXTURES = fileURLToPath(new URL('../fixtures/render/', import.meta.url));
const PUBLIC_URL = 'https://news.example.org';

// A wide picture, to prove that images shrink to the phone's width.
const WIDE_IMAGE = '<svg xmlns="http://www.w3.org/2000/svg" width="900" height="300"><rect width="900" height="300" fill="#88a"/></svg>';

let browser: Browser | undefined;

before(async () => {
  if (skip) return;
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
});

after(async () => {
  await browser?.close();
});

/** A page that never reaches the network: images get the wide picture, everything else is refused. */
async function offlinePage(width: number, colorScheme: 'light' | 'dark' = 'light'): Promise<Page> {
  const page = await browser!.newPage({ viewport: { width, height: 800 }, colorScheme });
  await page.route('**/*', (route) =>
    /\.(png|jpe?g|gif|webp)$/.test(new URL(route.request().url()).pathname)
      ? route.fulfill({ status: 200, contentType: 'image/svg+xml', body: WIDE_IMAGE })
      : route.request().url().startsWith('http://127.0.0.1')
        ? route.continue()
        : route.abort(),
  );
  return page;
}

async function emailOf(name: string): Promise<string> {
  const loaded = await loadEdition(join(FIXTURES, name, 'input.md'));
  return fillPlaceholders(renderEmail(loaded.edition!, loaded.publication!, { publicUrl: PUBLIC_URL }), SAMPLE_PLACEHOLDER_VALUES, escapeHtml);
}

const PARTS = [
  'h1',
  '.mt-dateline',
  '.mt-byline',
  '.mt-with',
  '.mt-tipline',
  '.mt-view-in-browser',
  '.mt-menu-title',
  '.mt-menu-list li',
  '.mt-greeting-text',
  'h2.mt-section-label',
  'h3.mt-kicker',
  '.mt-first-paragraph',
  '.mt-lead-in',
  '.mt-list li',
  'img',
  '.mt-credits-text',
  '.mt-unsubscribe',
  '.mt-preferences',
  '.mt-why',
  '.mt-address',
];

for (const name of ['tech-matin', 'policy-morning']) {
  test(`${name}: at 375 px every part of the email is visible and nothing scrolls sideways`, { skip }, async () => {
    const page = await offlinePage(375);
    await page.setContent(await emailOf(name), { waitUntil: 'load' });
    const width = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth }));
    assert.ok(width.scroll <= width.client, `horizontal scrolling: ${width.scroll} > ${width.client}`);
    for (const selector of PARTS) {
      const all = page.locator(selector);
      const count = await all.count();
      if (selector === 'img' && name === 'policy-morning') continue; // that edition has no image
      assert.ok(count > 0, `no ${selector}`);
      for (let i = 0; i < count; i++) {
        const el = all.nth(i);
        assert.ok(await el.isVisible(), `${selector} #${i} hidden`);
        const box = (await el.boundingBox())!;
        assert.ok(box.x >= 0 && box.x + box.width <= 375 + 0.5, `${selector} #${i} overflows: ${JSON.stringify(box)}`);
      }
    }
    // The kicker runs into its paragraph: both start on the same line.
    const kicker = (await page.locator('h3.mt-kicker').first().boundingBox())!;
    const paragraph = (await page.locator('.mt-first-paragraph').first().boundingBox())!;
    assert.ok(Math.abs(kicker.y - paragraph.y) < 2, 'kicker and first paragraph share their first line');
    await page.close();
  });
}

test('at desktop width the email column stays 600 px wide', { skip }, async () => {
  const page = await offlinePage(1024);
  await page.setContent(await emailOf('tech-matin'), { waitUntil: 'load' });
  const card = (await page.locator('.mt-masthead').boundingBox())!;
  assert.equal(Math.round(card.width), 600);
  await page.close();
});

test('in dark mode the email turns light text on a dark card', { skip }, async () => {
  const page = await offlinePage(375, 'dark');
  await page.setContent(await emailOf('tech-matin'), { waitUntil: 'load' });
  const colours = await page.evaluate(() => {
    const p = document.querySelector('.mt-first-paragraph')!;
    const card = p.closest('.mt-card')!;
    return { text: getComputedStyle(p).color, card: getComputedStyle(card).backgroundColor };
  });
  assert.equal(colours.text, 'rgb(232, 230, 227)');
  assert.equal(colours.card, 'rgb(30, 30, 30)');
  await page.close();
});

test('the web page reads on a phone without sideways scrolling', { skip }, async () => {
  const loaded = await loadEdition(join(FIXTURES, 'tech-matin', 'input.md'));
  const page = await offlinePage(375);
  await page.setContent(renderWeb(loaded.edition!, loaded.publication!, { publicUrl: PUBLIC_URL }), { waitUntil: 'load' });
  const width = await page.evaluate(() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]);
  assert.ok(width[0]! <= width[1]!, `horizontal scrolling: ${width}`);
  assert.ok(await page.locator('h1').isVisible());
  await page.close();
});

test('the preview page loads its frames and reloads them when the file is saved', { skip }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'matinale-preview-e2e-'));
  cpSync(join(FIXTURES, 'publications'), join(dir, 'publications'), { recursive: true });
  const file = join(dir, 'edition.md');
  const source = readFileSync(join(FIXTURES, 'tech-matin/input.md'), 'utf8');
  writeFileSync(file, source);
  const preview = await startPreview({ file, publicUrl: PUBLIC_URL, port: 0 });
  t.after(async () => {
    await preview.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const page = await offlinePage(1600);
  await page.goto(preview.url);
  for (const id of ['email-desktop', 'email-phone', 'web']) {
    await page.frameLocator(`#${id}`).locator('h1').waitFor();
  }
  await page.frameLocator('#text').locator('body').getByText('TECH MATIN').first().waitFor();
  await page.waitForFunction(() => document.querySelector('#diagnostics .summary') !== null);
  // Wait until the page listens to the server before saving.
  await page.evaluate(() => new Promise((ok) => setTimeout(ok, 200)));
  writeFileSync(file, source.replace("## Les câbles d'abord.", '## La fibre partout.'));
  await page.frameLocator('#email-phone').locator('h3', { hasText: 'LA FIBRE PARTOUT.' }).waitFor({ timeout: 10_000 });
  await page.frameLocator('#text').getByText('LA FIBRE PARTOUT.', { exact: false }).waitFor({ timeout: 10_000 });
  await page.close();
});
