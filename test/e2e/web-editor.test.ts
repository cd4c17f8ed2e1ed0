// The newsroom editor in a real browser (Debian's chromium through
// playwright-core), against the real server listening on an ephemeral port:
// sign in, open an edition, type, watch the live preview and the diagnostics
// follow, save, and move the edition to ready and approved as its editor.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { browserNewsroom, chromiumSkip } from '../helpers/browser.ts';
import { EDITOR } from '../web/harness.ts';
import { getEdition, listVersions } from '../../src/store/editions.ts';

const skip = chromiumSkip;

const w = browserNewsroom();

test('an editor types, sees the live preview follow, saves, and approves', { skip, timeout: 60_000 }, async () => {
  const page = await w.browser.newPage();
  const problems: string[] = [];
  page.on('pageerror', (err) => problems.push(err.message));
  page.on('console', (msg) => {
    if (msg.type() === 'error') problems.push(`${msg.text()} ${msg.location().url}`);
  });

  await page.goto(`${w.base}/newsroom`);
  assert.match(page.url(), /\/newsroom\/sign-in/);
  await page.getByLabel('Email address').fill(EDITOR.email);
  await page.getByLabel('Password').fill(EDITOR.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(`${w.base}/newsroom`);

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
  const versions = await listVersions(w.n.store, editionId);
  assert.equal(versions.length, 2);
  assert.match(versions[1]!.source, /A sentence typed in the browser, live\./);

  await page.getByRole('button', { name: 'Mark ready for review' }).click();
  await page.getByText('Marked ready for review.').waitFor();
  await page.getByRole('button', { name: 'Approve' }).click();
  await page.getByText('Approved.', { exact: true }).waitFor();
  assert.equal((await getEdition(w.n.store, editionId))?.status, 'approved');

  // Approved on the embedded default: the public page now answers with the typed sentence.
  await page.goto(`${w.base}/policy-morning/2026-03-02`);
  await page.getByText('A sentence typed in the browser, live.').waitFor();
  assert.deepEqual(problems, []);
});
