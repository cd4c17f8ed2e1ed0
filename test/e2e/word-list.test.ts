// « Add to the word list » in a real browser (Debian's chromium): an author
// types a name in the editor, the live preview reports it as info with the
// button; one click adds it, the preview refreshes without it and the text
// being typed stays in the editor (nothing saved, nothing reloaded). An editor
// then sees the word on the publication's word list, with who added it, and
// removes it. The word list page has no serious or critical accessibility
// problem at 1280 and 375 px (axe-core).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';
import { browserNewsroom, chromiumSkip, signInThroughForm } from '../helpers/browser.ts';
import { AUTHOR, EDITOR, sampleSource } from '../web/harness.ts';
import { learnedWordsOf } from '../../src/store/learned-words.ts';
import { listVersions } from '../../src/store/editions.ts';

const skip = chromiumSkip;
const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
declare const axe: { run(): Promise<{ violations: Array<{ id: string; impact: string | null; nodes: Array<{ target: unknown }> }> }> };

const world = browserNewsroom();

async function accessible(page: Page, what: string): Promise<void> {
  await page.addScriptTag({ path: AXE });
  const violations = await page.evaluate(async () =>
    (await axe.run()).violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id} (${v.impact}) at ${JSON.stringify(v.nodes.map((x) => x.target))}`),
  );
  assert.deepEqual(violations, [], `${what}: accessibility`);
}

test('an author adds a name to the word list from the editor; the preview refreshes without it; an editor removes it', { skip, timeout: 90_000 }, async () => {
  const { n, browser, base } = world;
  const context = await browser.newContext({ bypassCSP: true, viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('pageerror', (err) => problems.push(err.message));
  await signInThroughForm(page, base, AUTHOR);
  const versionsBefore = (await listVersions(n.store, n.ids.techEdition)).length;
  await page.goto(`${base}/newsroom/editions/${n.ids.techEdition}`);

  const typed = sampleSource('tech-matin').replace('Le gouvernement présente ce matin', 'Le ministre Zorbalux présente ce matin');
  await page.getByLabel('Source (Briefing Markdown)').fill(typed);
  const diagnostics = page.locator('#diagnostics');
  const item = diagnostics.locator('li.info', { hasText: '« Zorbalux », probably a name' });
  await item.waitFor({ timeout: 30_000 });
  assert.equal(await item.locator('strong').textContent(), 'info');

  await item.getByRole('button', { name: 'Add « Zorbalux » to the word list' }).click();
  await diagnostics.locator('li', { hasText: 'Zorbalux' }).waitFor({ state: 'detached', timeout: 30_000 });
  assert.deepEqual(await learnedWordsOf(n.store, n.ids.techMatin), ['Zorbalux']);
  // The page was not left: the text typed is still there, unsaved.
  assert.equal(await page.getByLabel('Source (Briefing Markdown)').inputValue(), typed);
  assert.equal((await listVersions(n.store, n.ids.techEdition)).length, versionsBefore);
  assert.deepEqual(problems, []);
  await context.close();

  for (const width of [1280, 375]) {
    const editorContext = await browser.newContext({ bypassCSP: true, viewport: { width, height: 900 } });
    const editorPage = await editorContext.newPage();
    await signInThroughForm(editorPage, base, EDITOR);
    await editorPage.goto(`${base}/newsroom/publications/tech-matin/words`);
    const row = editorPage.locator('tr', { hasText: 'Zorbalux' });
    assert.match((await row.textContent()) ?? '', /added by hand[\s\S]*jeanne\.moreau@example\.org/);
    await accessible(editorPage, `word list at ${width} px`);
    const sideways = await editorPage.evaluate('document.documentElement.scrollWidth > document.documentElement.clientWidth');
    assert.equal(sideways, false, `no sideways scrolling at ${width} px`);
    if (width === 375) {
      await row.getByRole('button', { name: 'Remove « Zorbalux »' }).click();
      await editorPage.getByText('The word was removed').waitFor();
      assert.deepEqual(await learnedWordsOf(n.store, n.ids.techMatin), []);
      assert.equal(await editorPage.locator('tr', { hasText: 'Zorbalux' }).count(), 0);
    }
    await editorContext.close();
  }
});
