// An admin creates a publication in the browser (Debian's chromium through
// playwright-core): a bad time zone is refused and shown next to its field,
// what was typed stays, the fix is saved, the schedule reads in words, and the
// new publication's archive answers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { browserNewsroom, chromiumSkip, signInThroughForm } from '../helpers/browser.ts';
import { addAccount } from '../../src/web/auth/accounts.ts';
import { getPublicationBySlug } from '../../src/store/publications.ts';

const skip = chromiumSkip;
const ADMIN = { email: 'form.admin@example.org', password: 'form-admin-password-1' };

const w = browserNewsroom((n) => addAccount(n.store, { ...ADMIN, name: 'Form Admin', role: 'admin', publicationSlugs: ['tech-matin'] }, n.clock).then(() => {}));

test('an admin creates a publication in the form; a bad field is refused and shown next to it', { skip, timeout: 90_000 }, async () => {
  const page = await w.browser.newPage({ viewport: { width: 375, height: 800 } });
  const problems: string[] = [];
  page.on('pageerror', (err) => problems.push(err.message));

  await signInThroughForm(page, w.base, ADMIN);

  await page.getByRole('link', { name: 'Publications', exact: true }).click();
  await page.getByRole('link', { name: 'New publication' }).click();
  await page.waitForURL(`${w.base}/newsroom/publications/new`);

  await page.getByLabel('Slug').fill('soir-info');
  await page.getByLabel('Name', { exact: true }).fill('Soir Info');
  await page.getByLabel('Language').selectOption('fr');
  await page.getByLabel('Time zone').fill('Europe/Pariss');
  await page.getByLabel('Saturday').check();
  await page.getByLabel('Time', { exact: true }).fill('18:30');
  await page.getByLabel('From').fill('Soir Info <soir@example.org>');
  await page.getByLabel('Postal address').fill('1 place du Marché, 69001 Lyon');
  await page.getByLabel('New member’s name').first().fill('Chloé Martin');
  await page.getByLabel('Address', { exact: true }).nth(1).fill('chloe@example.org');
  await page.getByRole('button', { name: 'Create the publication' }).click();

  // Refused: the message is next to the time zone field, which says it is invalid, and the rest is kept.
  const zone = page.getByLabel('Time zone');
  await page.getByRole('alert').waitFor();
  assert.equal(await zone.getAttribute('aria-invalid'), 'true');
  const described = await zone.getAttribute('aria-describedby');
  assert.match((await page.locator(`#${described}`).textContent()) ?? '', /`timezone` is not a known IANA time zone/);
  assert.equal(await page.getByLabel('Name', { exact: true }).inputValue(), 'Soir Info');
  assert.equal(await page.getByLabel('Saturday').isChecked(), true);
  assert.equal(await getPublicationBySlug(w.n.store, 'soir-info'), undefined);

  await zone.fill('Europe/Paris');
  await page.getByRole('button', { name: 'Create the publication' }).click();
  await page.waitForURL(`${w.base}/newsroom/publications/soir-info/settings?done=created`);
  await page.getByText('Publication created.').waitFor();
  await page.getByText('Monday to Saturday at 18:30').waitFor();

  const stored = await getPublicationBySlug(w.n.store, 'soir-info');
  assert.equal(stored?.settings.schedule, '30 18 * * 1-6');
  assert.deepEqual(stored?.team.map((m) => [m.email, m.role]).sort(), [['chloe@example.org', 'author'], [ADMIN.email, 'admin']]);

  const archive = await page.goto(`${w.base}/soir-info`);
  assert.equal(archive?.status(), 200);
  assert.deepEqual(problems, []);
});
