// The newsroom editor in a real browser (Debian's chromium through
// playwright-core), against the real server listening on an ephemeral port:
// sign in, open an edition, type, watch the live preview and the diagnostics
// follow, save, and move the edition to ready and approved as its editor.
// Two people at once: a save from an older version is refused with the other
// person's change shown; an approval is of the version seen; a version is
// restored. The preview shows the email at 600 and 375 px, the plain text and
// the web page; a diagnostic puts the cursor at its place; unsaved text is
// kept when leaving; refusals are never a dead end. Each page touched has no
// serious or critical accessibility problem (axe-core).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import type { Browser, Page } from 'playwright-core';
import { chromiumSkip, launchChromium, listenLocally } from '../helpers/browser.ts';
import { testBackends } from '../helpers/store.ts';
import { AUTHOR, EDITOR, newsroom, sampleSource, type Newsroom } from '../web/harness.ts';
import { getEdition, lastMoveTo, listVersions } from '../../src/store/editions.ts';
import { findUnsavedText } from '../../src/store/unsaved-texts.ts';

const skip = chromiumSkip;
const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

// Browser globals, used inside page.evaluate only: the project compiles without the DOM library.
declare const axe: { run(): Promise<{ violations: Array<{ id: string; impact: string | null; nodes: Array<{ target: unknown }> }> }> };

let browser: Browser | undefined;
let n: Newsroom | undefined;
let base = '';

before(async () => {
  if (skip) return;
  const [sqlite] = await testBackends();
  n = await newsroom(sqlite!);
  base = await listenLocally(n.app);
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await n?.close();
});

/** A person signed in in a browser of their own; script errors are collected. */
async function signedIn(who: { email: string; password: string }, width = 1280): Promise<{ page: Page; problems: string[] }> {
  // axe-core comes in as a script tag, which the pages' CSP (scripts from this origin only) would refuse.
  const context = await browser!.newContext({ bypassCSP: true, viewport: { width, height: 900 } });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('pageerror', (err) => problems.push(err.message));
  page.on('console', (msg) => {
    // A refusal answers with its status: the browser logs it, and it is what the test asks for.
    if (msg.type() === 'error' && !/status of (403|404|409)/.test(msg.text())) problems.push(`${msg.text()} ${msg.location().url}`);
  });
  await page.goto(`${base}/newsroom/sign-in`);
  await page.getByLabel('Email address').fill(who.email);
  await page.getByLabel('Password').fill(who.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(`${base}/newsroom`);
  return { page, problems };
}

/** No serious or critical axe-core violation on the page as it stands. */
async function accessible(page: Page, what: string): Promise<void> {
  await page.addScriptTag({ path: AXE });
  const violations = await page.evaluate(async () =>
    (await axe.run()).violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id} (${v.impact}) at ${JSON.stringify(v.nodes.map((x) => x.target))}`),
  );
  assert.deepEqual(violations, [], `${what}: accessibility`);
}

const sourceBox = (page: Page) => page.getByLabel(/^Source \(Briefing Markdown\)|^Your text/);

test('an editor types, sees the live preview follow, saves, and approves', { skip, timeout: 60_000 }, async () => {
  // A page of its own, under the app's CSP (scripts from this origin only).
  const page = await browser!.newPage();
  const problems: string[] = [];
  page.on('pageerror', (err) => problems.push(err.message));
  page.on('console', (msg) => {
    if (msg.type() === 'error') problems.push(`${msg.text()} ${msg.location().url}`);
  });

  await page.goto(`${base}/newsroom`);
  assert.match(page.url(), /\/newsroom\/sign-in/);
  await page.getByLabel('Email address').fill(EDITOR.email);
  await page.getByLabel('Password').fill(EDITOR.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(`${base}/newsroom`);

  // Policy Morning's edition is a draft.
  await page.getByRole('row', { name: /Policy Morning/ }).getByRole('link').click();
  await page.waitForURL(/\/newsroom\/editions\/\d+$/);
  const preview = page.frameLocator('#preview');
  await preview.locator('h1').waitFor();

  // Type a new paragraph at the end: the preview shows it without a save.
  const source = page.getByLabel('Source (Briefing Markdown)');
  await source.focus();
  await page.keyboard.press('Control+End');
  await source.pressSequentially('\nA sentence typed in the browser, live.\n', { delay: 5 });
  await preview.getByText('A sentence typed in the browser, live.').waitFor({ timeout: 15_000 });
  await page.getByText('Preview updated.').waitFor();

  // A code block is an error: it appears in the diagnostics as the author types.
  await source.pressSequentially('\n```\ncode\n```\n', { delay: 5 });
  await page.locator('#diagnostics li.error').first().waitFor({ timeout: 15_000 });
  for (let i = 0; i < '```\ncode\n```\n'.length + 1; i++) await page.keyboard.press('Backspace');
  await page.locator('#diagnostics li.error').first().waitFor({ state: 'detached', timeout: 15_000 });

  await page.getByRole('button', { name: 'Save a new version' }).click();
  await page.getByText('Saved as a new version.').waitFor();
  const editionId = Number(/\/editions\/(\d+)/.exec(page.url())![1]);
  const versions = await listVersions(n!.store, editionId);
  assert.equal(versions.length, 2);
  assert.match(versions[1]!.source, /A sentence typed in the browser, live\./);

  await page.getByRole('button', { name: 'Mark ready for review' }).click();
  await page.getByText('Marked ready for review.').waitFor();
  await page.getByRole('button', { name: 'Approve' }).click();
  await page.getByText('Approved.', { exact: true }).waitFor();
  assert.equal((await getEdition(n!.store, editionId))?.status, 'approved');

  // Approved on the embedded default: the public page now answers with the typed sentence.
  await page.goto(`${base}/policy-morning/2026-03-02`);
  await page.getByText('A sentence typed in the browser, live.').waitFor();
  assert.deepEqual(problems, []);
});

test('a save from an older version is refused and shown; an approval is of the version seen; a version is restored', { skip, timeout: 180_000 }, async () => {
  const id = n!.ids.techEdition;
  const original = sampleSource('tech-matin');
  const editor = await signedIn(EDITOR);
  const author = await signedIn(AUTHOR);
  await editor.page.goto(`${base}/newsroom/editions/${id}`);
  await author.page.goto(`${base}/newsroom/editions/${id}`);
  await accessible(editor.page, 'the editor');

  // The editor saves first; the author's save, from the same version 1, is refused with his change shown.
  await sourceBox(editor.page).fill(original.replace('dernière tranche', 'ultime tranche'));
  await editor.page.getByRole('button', { name: 'Save a new version' }).click();
  await editor.page.getByText('Saved as a new version.').waitFor();
  const hers = original + '\nUne phrase ajoutée par l’autrice.\n';
  await sourceBox(author.page).fill(hers);
  await author.page.getByRole('button', { name: 'Save a new version' }).click();
  await author.page.getByRole('heading', { name: /not saved/ }).waitFor();
  assert.match(await author.page.getByRole('alert').innerText(), new RegExp(`${EDITOR.email} saved version 2`));
  assert.match(await author.page.locator('pre.diff').first().locator('ins').allInnerTexts().then((t) => t.join('')), /ultime tranche/);
  assert.equal(await sourceBox(author.page).inputValue(), hers);
  assert.deepEqual((await listVersions(n!.store, id)).map((v) => v.number), [1, 2], 'nothing overwritten');
  await accessible(author.page, 'the refused save');
  // She keeps his change and hers, and saves over version 2.
  await sourceBox(author.page).fill(hers.replace('dernière tranche', 'ultime tranche'));
  await author.page.getByRole('button', { name: 'Save my text over version 2' }).click();
  await author.page.getByText('Saved as a new version.').waitFor();
  assert.equal((await getEdition(n!.store, id))?.currentVersion, 3);

  // Version 3 came after « ready » (at version 2): the editor approves it after a look at its changes.
  await editor.page.goto(`${base}/newsroom/editions/${id}`);
  assert.equal(await editor.page.getByRole('button', { name: /^Approve/ }).count(), 0);
  await editor.page.getByRole('link', { name: 'Approve: review the changes since version 2 first' }).click();
  await editor.page.getByRole('heading', { name: 'Changes from version 2 to version 3' }).waitFor();
  await accessible(editor.page, 'the versions page');
  await editor.page.getByRole('button', { name: 'Approve version 3, with these changes' }).click();
  await editor.page.getByText('Approved.', { exact: true }).waitFor();
  assert.equal((await lastMoveTo(n!.store, id, 'approved'))?.version, 3);

  // The editor has version 4 in front of him; the author saves version 5 before his click: refused, never approved unseen.
  await sourceBox(author.page).fill(hers.replace('dernière tranche', 'ultime tranche') + '\nQuatrième.\n');
  await author.page.getByRole('button', { name: 'Save a new version' }).click();
  await author.page.getByText('Saved as a new version.').waitFor();
  await editor.page.goto(`${base}/newsroom/editions/${id}`);
  const approve = editor.page.getByRole('button', { name: 'Approve version 4' });
  await approve.waitFor();
  await sourceBox(author.page).fill(hers + '\nCinquième, après le regard de l’éditeur.\n');
  await author.page.getByRole('button', { name: 'Save a new version' }).click();
  await author.page.getByText('Saved as a new version.').waitFor();
  await approve.click();
  await editor.page.getByRole('heading', { name: /saved after version 4 that was reviewed/ }).waitFor();
  assert.equal(await editor.page.getByRole('navigation', { name: 'Newsroom' }).count(), 1);
  await accessible(editor.page, 'the refused approval');
  assert.equal((await getEdition(n!.store, id))?.status, 'ready');
  await editor.page.getByRole('link', { name: 'Back to where you were' }).click();
  await editor.page.getByRole('link', { name: 'Approve: review the changes since version 4 first' }).waitFor();

  // Restore version 1: its text becomes version 6.
  await editor.page.goto(`${base}/newsroom/editions/${id}/versions`);
  await editor.page.getByRole('button', { name: 'Restore version 1' }).click();
  await editor.page.getByText('Restored: the earlier text is now the latest version.').waitFor();
  assert.equal(await sourceBox(editor.page).inputValue(), original);
  const versions = await listVersions(n!.store, id);
  assert.deepEqual([versions.length, versions.at(-1)?.source], [6, original]);
  assert.deepEqual([...editor.problems, ...author.problems], []);
});

test('the preview shows what readers get; a diagnostic leads to its place; unsaved text is kept when leaving', { skip, timeout: 180_000 }, async () => {
  const id = n!.ids.policyEdition;
  const { page, problems } = await signedIn(EDITOR);
  await page.goto(`${base}/newsroom/editions/${id}`);
  const frame = page.locator('#preview');
  const width = () => frame.evaluate((el) => Math.round((el as unknown as { clientWidth: number }).clientWidth));
  // The email first, at 600 px, then at 375 px, the plain text and the web page, without a reload.
  await page.frameLocator('#preview').getByText(/Policy Morning/).first().waitFor();
  assert.equal(await width(), 600);
  await page.getByRole('link', { name: 'Email, 375 px' }).click();
  await page.waitForFunction(() => (globalThis as unknown as { document: { getElementById(id: string): { clientWidth: number } } }).document.getElementById('preview').clientWidth === 375);
  await page.getByRole('link', { name: 'Plain text' }).click();
  await page.frameLocator('#preview').locator('pre').waitFor({ timeout: 30_000 });
  assert.match(await page.frameLocator('#preview').locator('pre').innerText(), /Policy Morning/);
  await page.getByRole('link', { name: 'Web page' }).click();
  await page.frameLocator('#preview').locator('h1').waitFor();
  assert.match(page.url(), /view=web/);
  await accessible(page, 'the editor, web view');

  // A code block is an error: its diagnostic puts the cursor where it starts.
  const source = sourceBox(page);
  await source.focus();
  await page.keyboard.press('Control+End');
  await source.pressSequentially('\nUne ligne pas encore enregistrée.\n```\ncode\n```\n', { delay: 5 });
  const where = page.locator('#diagnostics li.error button.where').first();
  await where.waitFor({ timeout: 30_000 });
  const [line, column] = [Number(await where.getAttribute('data-line')), Number(await where.getAttribute('data-column'))];
  await where.click();
  const text = await source.inputValue();
  const lines = text.split('\n');
  const expected = lines.slice(0, line - 1).reduce((sum, l) => sum + l.length + 1, 0) + [...lines[line - 1]!].slice(0, column - 1).join('').length;
  assert.equal(await source.evaluate((el) => (el as unknown as { selectionStart: number }).selectionStart), expected);
  assert.match(lines[line - 1]!, /^```/);

  // Kept as the editor's unsaved text while typing; leaving asks first.
  await page.getByText('Unsaved changes kept (only you see them until you save).').waitFor({ timeout: 15_000 });
  assert.match((await findUnsavedText(n!.store, id, EDITOR.email))?.source ?? '', /Une ligne pas encore enregistrée/);
  const asked: string[] = [];
  page.on('dialog', (dialog) => {
    asked.push(dialog.type());
    void dialog.accept();
  });
  await page.goto(`${base}/newsroom`);
  assert.deepEqual(asked, ['beforeunload']);
  // Coming back, the text is offered back.
  await page.goto(`${base}/newsroom/editions/${id}`);
  await page.getByRole('link', { name: 'Put my unsaved text back in the editor' }).click();
  await page.waitForURL(/unsaved=1/);
  assert.match(await sourceBox(page).inputValue(), /Une ligne pas encore enregistrée/);
  assert.deepEqual(problems, []);
});

test('refusals keep the newsroom and a way back; a date that has an edition says so; a new edition cannot go to review unchanged', { skip, timeout: 120_000 }, async () => {
  const author = await signedIn(AUTHOR);
  // No outbox link for an author; asked for anyway, the refusal stays in the newsroom with a way back.
  assert.equal(await author.page.getByRole('link', { name: 'Outbox' }).count(), 0);
  await author.page.goto(`${base}/newsroom/outbox`, { referer: `${base}/newsroom` });
  assert.equal(await author.page.getByRole('navigation', { name: 'Newsroom' }).count(), 1);
  await accessible(author.page, 'a refusal');
  await author.page.getByRole('link', { name: 'Back to where you were' }).click();
  await author.page.waitForURL(`${base}/newsroom`);
  await accessible(author.page, 'the editions');

  // Starting the 2 March edition of Tech Matin again: it says it exists and opens it.
  await author.page.getByLabel('Date').fill('2026-03-02');
  await author.page.getByRole('button', { name: 'Start an edition' }).click();
  await author.page.getByRole('heading', { name: 'Tech Matin already has an edition for 2026-03-02' }).waitFor();
  await accessible(author.page, 'an edition that exists');
  await author.page.getByRole('link', { name: 'Open the edition of 2026-03-02' }).click();
  await author.page.waitForURL(`${base}/newsroom/editions/${n!.ids.techEdition}`);

  // A new date: the template's placeholder texts are errors, and no « Mark ready » is offered.
  await author.page.goto(`${base}/newsroom`);
  await author.page.getByLabel('Date').fill('2026-03-20');
  await author.page.getByRole('button', { name: 'Start an edition' }).click();
  await author.page.waitForURL(/\/newsroom\/editions\/\d+$/);
  assert.ok((await author.page.locator('#diagnostics li.error', { hasText: 'template-text-left' }).count()) >= 3);
  assert.equal(await author.page.getByRole('button', { name: /Mark ready/ }).count(), 0);
  await author.page.getByText('fix them before it can be marked ready').waitFor();
  assert.deepEqual(author.problems, []);
});

test('on a phone (375 px) the editor stacks source and preview, and its content stays within the screen', { skip, timeout: 90_000 }, async () => {
  const { page, problems } = await signedIn(EDITOR, 375);
  // What reaches past the screen's right edge inside the page's main content; the
  // preview frame scrolls inside its own box (an email is 600 px wide). The
  // navigation around it is the layout's, checked by the newsroom's 375 px sweep.
  const outside = () =>
    page.evaluate(() => {
      type Box = { tagName: string; className: string; closest(s: string): Box | null; getBoundingClientRect(): { right: number } };
      const d = (globalThis as unknown as { document: { documentElement: { clientWidth: number }; querySelectorAll(s: string): Iterable<Box> } }).document;
      return [...d.querySelectorAll('main *')]
        .filter((e) => !e.closest('.frame-box iframe') && e.getBoundingClientRect().right > d.documentElement.clientWidth + 0.5)
        .map((e) => `${e.tagName.toLowerCase()}.${e.className}`);
    });
  for (const view of ['email-desktop', 'email-phone', 'text', 'web']) {
    await page.goto(`${base}/newsroom/editions/${n!.ids.techEdition}?view=${view}`);
    assert.deepEqual(await outside(), [], view);
    // Stacked: the preview starts below the source, not beside it.
    const [source, preview] = await Promise.all([sourceBox(page).boundingBox(), page.locator('.preview').boundingBox()]);
    assert.ok(source && preview && preview.y >= source.y + source.height, `${view}: stacked`);
  }
  await page.goto(`${base}/newsroom/editions/${n!.ids.techEdition}/versions?a=1&b=2`);
  assert.deepEqual(await outside(), [], 'versions');
  assert.deepEqual(problems, []);
});

test('a preview replaced while it renders is dropped quietly: no failed request in the console, no "Preview failed"', { skip, timeout: 90_000 }, async () => {
  const id = n!.ids.policyEdition;
  const { page } = await signedIn(EDITOR);
  // Every console error, the 409s signedIn lets through included.
  const errors: string[] = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error') errors.push(`${msg.text()} ${msg.location().url}`);
  });
  await page.goto(`${base}/newsroom/editions/${id}`);
  await page.frameLocator('#preview').getByText(/Policy Morning/).first().waitFor();
  const source = sourceBox(page);
  const status = page.locator('#preview-state');
  // A long source renders for a while: the next keystroke's preview replaces it before its answer.
  const long = `${sampleSource('policy-morning')}\n${Array.from({ length: 400 }, (_, i) => `Un paragraphe de plus, numéro ${i}, pour que l’aperçu prenne son temps.\n`).join('\n')}`;
  await source.fill(long);
  await page.getByText('Updating preview…').waitFor();
  await source.press('End');
  await source.pressSequentially(' Fin.', { delay: 5 });
  await page.getByText(/^Preview updated/).waitFor({ timeout: 60_000 });
  assert.doesNotMatch((await status.textContent()) ?? '', /Preview failed/);
  assert.deepEqual(errors, []);
});
