// The audience and the team in a real browser (Debian's chromium through
// playwright-core), against the real server on an ephemeral port: search a
// subscriber, open them, erase them and find no trace of them in the outbox;
// import a CSV file with bad rows and download the rejects; invite a team
// member who sets a password from the mail in the outbox and signs in. Every
// page visited is checked with axe-core: no serious or critical violation.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { testBackends } from '../helpers/store.ts';
import { newsroom, subscribeThroughForm, type Newsroom } from '../web/harness.ts';
import { addAccount } from '../../src/web/auth/accounts.ts';
import { outbox, linkInText } from '../audience/mail-reader.ts';

const CHROMIUM = '/usr/bin/chromium';
const skip = existsSync(CHROMIUM) ? false : `Debian's chromium is not installed at ${CHROMIUM} (apt-get install chromium)`;
const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const ADMIN = { email: 'ada.admin@example.org', password: 'admin-password-1' };

let browser: Browser | undefined;
let n: Newsroom | undefined;
let base = '';
let files = '';

before(async () => {
  if (skip) return;
  const [sqlite] = await testBackends();
  n = await newsroom(sqlite!);
  await addAccount(n.store, { ...ADMIN, name: 'Ada Admin', role: 'admin', publicationSlugs: ['tech-matin', 'policy-morning'] }, n.clock);
  await n.app.listen({ port: 0, host: '127.0.0.1' });
  const address = n.app.server.address();
  base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  files = mkdtempSync(join(tmpdir(), 'matinale-e2e-'));
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
});

after(async () => {
  await browser?.close();
  await n?.close();
  if (files) rmSync(files, { recursive: true, force: true });
});

/** axe-core on the page as it is: no serious or critical violation. */
async function accessible(page: Page): Promise<void> {
  // Evaluated through the debugging protocol: the page's CSP (scripts from this origin only) stays on.
  await page.evaluate(AXE);
  const violations = await page.evaluate(async () => {
    const result = await (globalThis as unknown as { axe: { run(): Promise<{ violations: Array<{ id: string; impact: string; nodes: Array<{ target: unknown }> }> }> } }).axe.run();
    return result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id}: ${JSON.stringify(v.nodes.map((x) => x.target))}`);
  });
  assert.deepEqual(violations, [], `axe on ${page.url()}`);
}

async function signIn(page: Page, who: { email: string; password: string }): Promise<void> {
  await page.goto(`${base}/newsroom/sign-in`);
  await page.getByLabel('Email address').fill(who.email);
  await page.getByLabel('Password').fill(who.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(`${base}/newsroom`);
}

function watch(page: Page): string[] {
  const problems: string[] = [];
  page.on('pageerror', (err) => problems.push(err.message));
  page.on('console', (msg) => {
    if (msg.type() === 'error') problems.push(`${msg.text()} ${msg.location().url}`);
  });
  return problems;
}

async function untilTrue(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if (check()) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`never: ${what}`);
}

test('an admin searches a subscriber, opens them, erases them, and the outbox keeps no trace of them', { skip, timeout: 90_000 }, async () => {
  // A reader signs up through the public form: their confirmation mail is in the outbox.
  const reader = 'zoe.reader@example.net';
  assert.equal((await subscribeThroughForm(n!.app, 'tech-matin', { email: reader, name: 'Zoé' })).statusCode, 200);
  const box = join(n!.config.dataDir, 'outbox');
  await untilTrue(() => outbox(box).some((m) => m.to.includes(reader)), 'the confirmation mail in the outbox');

  const context = await browser!.newContext();
  const page = await context.newPage();
  const problems = watch(page);
  await signIn(page, ADMIN);
  await page.getByRole('link', { name: 'Publications' }).click();
  await page.locator('#pub-tech-matin').locator('..').getByRole('link', { name: 'Subscribers' }).click();
  await page.waitForURL(/\/subscribers$/);
  await accessible(page);
  await page.getByLabel('Address or name').fill('zoe.READER');
  await page.getByRole('button', { name: 'Search' }).click();
  await page.getByRole('link', { name: reader }).click();
  await page.getByRole('heading', { name: reader }).waitFor();
  await page.getByText('subscribe-request').waitFor();
  await accessible(page);

  await page.getByLabel(`I erase ${reader}`).check();
  await page.getByRole('button', { name: 'Erase for good' }).click();
  await page.getByText('The person was erased').waitFor();
  await accessible(page);

  // Nothing in the outbox names them: no message file, no index line.
  for (const file of readdirSync(box)) assert.doesNotMatch(readFileSync(join(box, file), 'utf8'), /zoe\.reader/i, file);
  await page.goto(`${base}/newsroom/publications/tech-matin/subscribers?q=${encodeURIComponent(reader)}`);
  await page.getByText('No subscriber matches.').waitFor();
  assert.deepEqual(problems, []);
  await context.close();
});

test('an editor imports a CSV file with bad rows from the browser and downloads the rejects', { skip, timeout: 90_000 }, async () => {
  const csv = join(files, 'salon.csv');
  writeFileSync(csv, 'Adresse mail;Prénom;Nom\nmarc@example.net;Marc;Durand\npas-une-adresse;X;Y\nines@example.net;Inès;Roy\nmarc@example.net;Marc;Encore\n');
  const context = await browser!.newContext({ acceptDownloads: true });
  const page = await context.newPage();
  const problems = watch(page);
  await signIn(page, ADMIN);
  await page.goto(`${base}/newsroom/publications/tech-matin/subscribers`);
  await page.getByRole('link', { name: 'Import a CSV file' }).click();
  await page.getByText('at most 100 MiB').waitFor();
  await accessible(page);
  await page.getByLabel('CSV file').setInputFiles(csv);
  await page.getByRole('button', { name: 'Upload' }).click();
  await page.getByRole('heading', { name: 'Which column holds what' }).waitFor();
  await accessible(page);
  // The address column is guessed from its name; first and last names are chosen here.
  assert.equal(await page.getByLabel('Email address (required)').inputValue(), '0');
  await page.getByLabel('First name').selectOption({ label: 'column 2: Prénom' });
  await page.getByLabel('Last name').selectOption({ label: 'column 3: Nom' });
  await page.getByLabel('They already confirmed elsewhere').check();
  await page.getByLabel('Source of their consent, for rows without one').fill('salon du 12 mai');
  await page.getByRole('button', { name: 'Import' }).click();
  await page.getByRole('heading', { name: 'Import of salon.csv done' }).waitFor({ timeout: 20_000 });
  await accessible(page);
  assert.match(await page.locator('dl.facts').innerText(), /Imported\s+2[\s\S]*Rejected\s+2/);

  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: /Download the 2 rejected rows/ }).click()]);
  const rejects = readFileSync((await download.path())!, 'utf8');
  assert.equal(rejects, 'line,reason,email\n3,no @ in the address,pas-une-adresse\n5,duplicate of line 2,marc@example.net\n');

  await page.goto(`${base}/newsroom/publications/tech-matin/subscribers?q=ines`);
  await page.getByRole('cell', { name: 'Inès Roy' }).waitFor();
  assert.deepEqual(problems, []);
  await context.close();
});

test('an admin invites a member who sets a password from the mail in the outbox and signs in', { skip, timeout: 90_000 }, async () => {
  const context = await browser!.newContext();
  const page = await context.newPage();
  const problems = watch(page);
  await signIn(page, ADMIN);
  await page.getByRole('link', { name: 'Team' }).click();
  await page.getByRole('heading', { name: 'Team', exact: true }).waitFor();
  await accessible(page);
  const newcomer = 'paul.new@example.org';
  await page.getByLabel('Email address').fill(newcomer);
  await page.getByLabel('Name').fill('Paul Nouveau');
  await page.getByLabel('Publication').selectOption({ label: 'Policy Morning' });
  await page.getByLabel('Role', { exact: true }).selectOption('editor');
  await page.getByRole('button', { name: 'Send the invitation' }).click();
  await page.getByText('Invitation sent').waitFor();
  await page.getByRole('heading', { name: /Paul Nouveau/ }).waitFor();

  const box = join(n!.config.dataDir, 'outbox');
  await untilTrue(() => outbox(box).some((m) => m.to.includes(newcomer)), 'the invitation in the outbox');
  const link = new URL(linkInText(outbox(box).find((m) => m.to.includes(newcomer)), '/newsroom/invitation/'));

  const theirs = await browser!.newContext();
  const paul = await theirs.newPage();
  const paulProblems = watch(paul);
  await paul.goto(`${base}${link.pathname}`);
  await accessible(paul);
  await paul.getByLabel('New password').fill('paul-password-1');
  await paul.getByLabel('The same password again').fill('paul-password-1');
  await paul.getByRole('button', { name: 'Set my password' }).click();
  await paul.getByText('Your password is set').waitFor();
  await paul.getByRole('link', { name: 'Sign in' }).click();
  await paul.getByLabel('Email address').fill(newcomer);
  await paul.getByLabel('Password').fill('paul-password-1');
  await paul.getByRole('button', { name: 'Sign in' }).click();
  await paul.waitForURL(`${base}/newsroom`);
  await paul.getByRole('link', { name: 'Your account' }).click();
  await paul.getByRole('heading', { name: 'Your account' }).waitFor();
  await accessible(paul);
  assert.match(await paul.locator('dl.facts').innerText(), /paul\.new@example\.org/);
  assert.deepEqual([...problems, ...paulProblems], []);
  await theirs.close();
  await context.close();
});
