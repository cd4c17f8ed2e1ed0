// Sending from the browser (Debian's chromium through playwright-core), against
// the real server on an ephemeral port: the confirmation shows the readers it
// would go to and warns of an edition of another day; a time picked in the
// publication's zone shows as « goes out … » and is unscheduled; a send is
// followed live on its page, paused and resumed there, and that page has no
// serious or critical accessibility problem (axe-core) while it sends.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import type { Browser, Page } from 'playwright-core';
import { chromiumMissing, launchChromium, listenLocally } from '../helpers/chromium.ts';
import { testBackends } from '../helpers/store.ts';
import { EDITOR, newsroom, sampleSource, type Newsroom } from '../web/harness.ts';
import { AudienceKeys } from '../../src/audience/keys.ts';
import { getEdition, saveEdition, transitionEdition } from '../../src/store/editions.ts';
import { getSend, sendRecipients } from '../../src/store/sends.ts';
import { listSendsOf } from '../../src/store/send-controls.ts';

const skip = chromiumMissing;
const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

let browser: Browser | undefined;
let n: Newsroom | undefined;
let base = '';

/** `count` active subscribers of a publication. */
async function subscribers(publicationId: number, prefix: string, count: number): Promise<void> {
  const keys = new AudienceKeys(n!.config.secret);
  const now = n!.clock.now();
  for (let i = 0; i < count; i++) {
    const email = `${prefix}${i}@example.net`;
    const s = await n!.store.db
      .insertInto('subscribers')
      .values({ email, email_hash: keys.addressHash(email), name: null, created_at: now, updated_at: now, erased_at: null })
      .returning('id')
      .executeTakeFirstOrThrow();
    await n!.store.db
      .insertInto('subscriptions')
      .values({ subscriber_id: s.id, publication_id: publicationId, status: 'active', source: 'import', created_at: now, confirmed_at: now, unsubscribed_at: null, updated_at: now })
      .execute();
  }
}

/** An approved edition of a sample publication for a date. */
async function approved(slug: 'tech-matin' | 'policy-morning', publicationId: number, date: string): Promise<number> {
  const source = sampleSource(slug).replace('date: 2026-03-02', `date: ${date}`);
  const saved = await saveEdition(n!.store, { publicationId, date, source, author: EDITOR.email }, { clock: n!.clock });
  await transitionEdition(n!.store, saved.editionId, 'ready', { kind: 'person', email: EDITOR.email }, { clock: n!.clock });
  await transitionEdition(n!.store, saved.editionId, 'approved', { kind: 'person', email: EDITOR.email }, { clock: n!.clock });
  return saved.editionId;
}

/** What axe-core finds on the page as it stands. */
async function axeViolations(page: Page): Promise<Array<{ id: string; impact: string; nodes: number }>> {
  await page.addScriptTag({ path: AXE });
  return page.evaluate(async () => {
    const result = await (globalThis as unknown as { axe: { run(): Promise<{ violations: Array<{ id: string; impact: string; nodes: unknown[] }> }> } }).axe.run();
    return result.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.length }));
  });
}

const serious = (violations: Array<{ impact: string }>) => violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');

async function signedIn(): Promise<{ page: Page; problems: string[] }> {
  // axe-core is injected as a script tag: the page's own CSP would refuse it.
  const context = await browser!.newContext({ bypassCSP: true });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('pageerror', (err) => problems.push(err.message));
  page.on('console', (msg) => {
    if (msg.type() === 'error') problems.push(`${msg.text()} ${msg.location().url}`);
  });
  await page.goto(`${base}/newsroom/sign-in`);
  await page.getByLabel('Email address').fill(EDITOR.email);
  await page.getByLabel('Password').fill(EDITOR.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(`${base}/newsroom`);
  return { page, problems };
}

before(async () => {
  if (skip) return;
  const [sqlite] = await testBackends();
  n = await newsroom(sqlite!);
  await subscribers(n.ids.techMatin, 'lecteur', 40);
  await subscribers(n.ids.policyMorning, 'reader', 3);
  base = await listenLocally(n.app);
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await n?.close();
});

test('the confirmation shows the readers it would go to, and warns of an edition of another day', { skip, timeout: 60_000 }, async () => {
  const { page, problems } = await signedIn();
  const tomorrow = await approved('tech-matin', n!.ids.techMatin, '2026-03-03');

  // Tomorrow's edition sent now: the date is wrong, the page says so.
  await page.goto(`${base}/newsroom/editions/${tomorrow}`);
  await page.getByRole('button', { name: 'Review and confirm…' }).click();
  await page.waitForURL(/\/send\/confirm\?when=now/);
  await page.getByRole('alert').filter({ hasText: 'Check the date' }).waitFor();
  assert.match(await page.getByRole('alert').first().innerText(), /edition of 2026-03-03, and it would go out on 2026-03-02 \(today in Europe\/Paris\): its day has not come yet/);
  assert.equal(await page.locator('[data-field="recipients"]').innerText(), '40');
  assert.deepEqual(serious(await axeViolations(page)), [], 'the confirmation page, warning included');
  await page.getByRole('link', { name: 'Back to the edition' }).click();

  // Today's edition: the count, the subject, the sender, no warning; the button starts it.
  await page.goto(`${base}/newsroom/editions/${n!.ids.techEdition}`);
  await page.getByLabel('Now').check();
  await page.getByRole('button', { name: 'Review and confirm…' }).click();
  await page.waitForURL(/\/send\/confirm/);
  assert.equal(await page.getByRole('alert').count(), 0);
  const facts = await page.locator('dl.confirm').innerText();
  assert.match(facts, /40 active subscribers right now/);
  assert.match(facts, /Tech Matin <techmatin@example\.org>/);
  assert.match(facts, /2026-03-02; today in Europe\/Paris is 2026-03-02/);
  assert.equal((await listSendsOf(n!.store, [n!.ids.techEdition])).get(n!.ids.techEdition), undefined, 'nothing sent before the click');
  await page.getByRole('button', { name: 'Send to 40 readers now' }).click();
  await page.waitForURL(/\/newsroom\/sends\/\d+\?done=started/);
  const send = (await listSendsOf(n!.store, [n!.ids.techEdition])).get(n!.ids.techEdition)!;
  assert.equal((await getSend(n!.store, send.id))?.status, 'running');
  assert.equal((await sendRecipients(n!.store, send.id)).length, 40);
  assert.deepEqual(problems, []);
});

test('a time picked in the publication zone goes out then, shows everywhere, and is unscheduled', { skip, timeout: 60_000 }, async () => {
  const { page, problems } = await signedIn();
  const id = await approved('policy-morning', n!.ids.policyMorning, '2026-03-04');
  await page.goto(`${base}/newsroom/editions/${id}`);
  assert.deepEqual(serious(await axeViolations(page)), [], "the editor's send panel");
  await page.getByLabel('At a time, in Europe/London').check();
  await page.getByLabel('Date and time of the send, in Europe/London').fill('2026-03-04T07:30');
  await page.getByRole('button', { name: 'Review and confirm…' }).click();
  await page.waitForURL(/\/send\/confirm\?when=at/);
  assert.match(await page.locator('dl.confirm').innerText(), /Wed 4 Mar 07:30 \(Europe\/London\)/);
  await page.getByRole('button', { name: 'Schedule for 3 readers' }).click();
  await page.waitForURL(new RegExp(`/newsroom/editions/${id}\\?done=scheduled`));
  const line = 'goes out Wed 4 Mar 07:30 Europe/London';
  await page.getByText(line).waitFor();
  assert.equal((await getEdition(n!.store, id))?.status, 'scheduled');
  assert.equal((await listSendsOf(n!.store, [id])).get(id)?.scheduled_for, Date.parse('2026-03-04T07:30:00Z'));

  await page.goto(`${base}/newsroom`);
  await page.getByRole('row', { name: /2026-03-04/ }).getByText(line).waitFor();
  await page.goto(`${base}/newsroom/sends`);
  const item = page.getByRole('listitem').filter({ hasText: 'Policy Morning 2026-03-04' });
  await item.getByText(line).waitFor();
  await item.getByRole('button', { name: 'Unschedule' }).click();
  await page.waitForURL(new RegExp(`/newsroom/editions/${id}\\?done=unscheduled`));
  assert.equal(await page.getByText(line).count(), 0);
  assert.equal((await getEdition(n!.store, id))?.status, 'approved');
  assert.equal((await listSendsOf(n!.store, [id])).get(id)?.status, 'cancelled');
  assert.deepEqual(problems, []);
});

test('a send is followed live on its page, paused and resumed there, and the page is accessible while it sends', { skip, timeout: 60_000 }, async () => {
  const { page, problems } = await signedIn();
  const send = (await listSendsOf(n!.store, [n!.ids.techEdition])).get(n!.ids.techEdition)!;
  const rows = (await sendRecipients(n!.store, send.id)).map((r) => r.id);
  const start = send.started_at!;
  // What workers would have recorded so far: most accepted, some greylisted, one refused.
  const record = (ids: number[], state: 'sent' | 'pending' | 'failed', code: number, response: string, at: number) =>
    n!.store.db.updateTable('recipients').set({ state, relay_code: code, relay_response: response, updated_at: at }).where('id', 'in', ids).execute();
  await record(rows.slice(0, 12), 'sent', 250, '250 2.0.0 Ok: queued', start + 1_000);
  await record(rows.slice(12, 20), 'sent', 250, '250 2.0.0 Ok: queued', start + 3_000);
  await record(rows.slice(20, 23), 'pending', 451, '451 4.7.1 Greylisted, try again later', start + 3_000);
  await record(rows.slice(23, 24), 'failed', 550, '550 5.7.1 Message refused', start + 3_500);
  n!.clock.advance(5_000);

  await page.goto(`${base}/newsroom/sends/${send.id}`);
  await page.locator('[data-field="status"]', { hasText: 'running' }).waitFor();
  await page.locator('#answers').getByText('451 4.7.1 Greylisted, try again later').waitFor();
  await page.locator('#rate-chart svg path').waitFor();
  assert.equal(await page.locator('[data-count="sent"]').innerText(), '20');

  // Sending: no serious or critical accessibility problem.
  const violations = await axeViolations(page);
  assert.deepEqual(serious(violations), []);
  if (process.env.SCREENSHOTS) {
    console.log(JSON.stringify(violations));
    await page.screenshot({ path: `${process.env.SCREENSHOTS}/send-page-1280.png`, fullPage: true });
  }

  // The page follows the ledger by itself (no reload): more rows sent show up.
  const url = page.url();
  await record(rows.slice(24, 30), 'sent', 250, '250 2.0.0 Ok: queued', start + 5_000);
  n!.clock.advance(1_000);
  await page.locator('[data-count="sent"]', { hasText: '26' }).waitFor({ timeout: 10_000 });
  assert.equal(page.url(), url);

  await page.getByRole('button', { name: 'Pause' }).click();
  await page.waitForURL(/\?done=pause/);
  await page.locator('[data-field="status"]', { hasText: 'paused' }).waitFor();
  await page.getByText(`paused by ${EDITOR.email}`).waitFor();
  assert.equal((await getSend(n!.store, send.id))?.status, 'paused');
  assert.equal(await page.getByRole('button', { name: 'Pause' }).count(), 0);

  await page.getByRole('button', { name: 'Resume' }).click();
  await page.waitForURL(/\?done=resume/);
  await page.locator('[data-field="status"]', { hasText: 'running' }).waitFor();
  assert.equal((await getSend(n!.store, send.id))?.status, 'running');
  await page.getByRole('button', { name: 'Pause' }).waitFor();

  // On a phone: nothing of the send's page is wider than the screen, the chart and the answers included
  // (the newsroom's navigation bar above it is the layout's, tested with every page).
  await page.setViewportSize({ width: 375, height: 800 });
  await page.locator('#rate-chart svg').waitFor();
  if (process.env.SCREENSHOTS) await page.screenshot({ path: `${process.env.SCREENSHOTS}/send-page-375.png`, fullPage: true });
  type Box = { tagName: string; getAttribute(name: string): string | null; getBoundingClientRect(): { right: number } };
  const wide = await page
    .locator('main *')
    .evaluateAll((all: Box[]) => all.filter((e) => e.getBoundingClientRect().right > 375).map((e) => `${e.tagName.toLowerCase()}.${e.getAttribute('class') ?? ''}`));
  assert.deepEqual(wide, [], 'no part of the send page wider than 375 px');

  // Cancel asks once more: dismissed, nothing happens; accepted, the send ends and its waiting rows fail.
  page.once('dialog', (dialog) => void dialog.dismiss());
  await page.getByRole('button', { name: 'Cancel the send' }).click();
  await page.waitForTimeout(300);
  assert.equal((await getSend(n!.store, send.id))?.status, 'running');
  page.once('dialog', (dialog) => void dialog.accept());
  await page.getByRole('button', { name: 'Cancel the send' }).click();
  await page.waitForURL(/\?done=cancel/);
  await page.locator('[data-field="status"]', { hasText: 'cancelled' }).waitFor();
  assert.equal((await getSend(n!.store, send.id))?.status, 'cancelled');
  assert.equal((await getEdition(n!.store, n!.ids.techEdition))?.status, 'sent');
  assert.equal(await page.locator('[data-count="remaining"]').innerText(), '0');
  assert.deepEqual(problems, []);
});
