// The editor's guard against lost and unseen work, through the dashboard's
// forms and the API: a save from an older version is refused with both
// changes shown; an approval is of the version reviewed, with a look at the
// changes saved after « ready »; a version restored becomes the latest; the
// person's unsaved text is kept and offered back; a sent edition offers no
// save; refusals stay inside the newsroom with a way back.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseHTML } from 'linkedom';
import { testBackends } from '../helpers/store.ts';
import { AUTHOR, EDITOR, OUTSIDER, Visitor, newsroom, sampleSource } from './harness.ts';
import { getEdition, lastMoveTo, listVersions } from '../../src/store/editions.ts';
import { findUnsavedText } from '../../src/store/unsaved-texts.ts';

function rcdata(text: string | null | undefined): string {
  const entities: Record<string, string> = { '&lt;': '<', '&gt;': '>', '&quot;': '"', '&#39;': "'", '&amp;': '&' };
  return (text ?? '').replace(/&(?:lt|gt|quot|#39|amp);/g, (e) => entities[e]!);
}

const doc = (body: string) => parseHTML(body).document;

for (const backend of await testBackends()) {
  test(`versions in the editor on ${backend.name}`, async (t) => {
    const n = await newsroom(backend);
    t.after(() => n.close());
    const id = n.ids.techEdition;
    const original = sampleSource('tech-matin');
    const editorsText = original.replace('dernière tranche', 'ultime tranche');
    const authorsText = original + '\nUne phrase de l’autrice.\n';
    const author = new Visitor(n.app);
    await author.signIn(AUTHOR);
    const editor = new Visitor(n.app);
    await editor.signIn(EDITOR);

    await t.test('a save from an older version is refused, both changes shown, nothing overwritten', async () => {
      // Both open version 1; the editor saves first.
      assert.equal(doc((await author.get(`/newsroom/editions/${id}`)).body).querySelector('input[name="base"]')?.getAttribute('value'), '1');
      assert.equal((await editor.post(`/newsroom/editions/${id}/save`, { source: editorsText, base: '1' })).statusCode, 303);
      const refused = await author.post(`/newsroom/editions/${id}/save`, { source: authorsText, base: '1' });
      assert.equal(refused.statusCode, 409);
      const page = doc(refused.body);
      assert.ok(page.querySelector('nav[aria-label="Newsroom"]'));
      assert.match(page.querySelector('[role="alert"]')?.textContent ?? '', new RegExp(`${EDITOR.email} saved version 2 .* after version 1`));
      const diffs = [...page.querySelectorAll('pre.diff')];
      assert.equal(diffs.length, 2);
      assert.match(diffs[0]!.querySelector('ins')?.textContent ?? '', /ultime tranche/, 'their change');
      const added = (pre: { querySelectorAll(s: string): Iterable<{ textContent: string | null }> }) => [...pre.querySelectorAll('ins')].map((i) => i.textContent).join('');
      assert.match(added(diffs[1]!), /Une phrase de l’autrice/, 'mine against the latest');
      assert.equal(rcdata(page.querySelector('textarea#source')?.textContent), authorsText);
      assert.equal(page.querySelector('input[name="base"]')?.getAttribute('value'), '2');
      // Nothing overwritten, and the refused text kept as the author's unsaved text.
      assert.deepEqual((await listVersions(n.store, id)).map((v) => v.author), [AUTHOR.email, EDITOR.email]);
      assert.equal((await findUnsavedText(n.store, id, AUTHOR.email))?.source, authorsText);
      // Through the API: the same refusal, as JSON.
      const api = await author.api('POST', `/api/editions/${id}`, { source: authorsText, base: 1 });
      assert.equal(api.statusCode, 409);
      assert.deepEqual([api.json().error.code, api.json().error.reason], ['conflict', 'version-conflict']);
      // From version 2, once seen, the save goes through; the unsaved text goes with it.
      assert.equal((await author.post(`/newsroom/editions/${id}/save`, { source: authorsText, base: '2' })).statusCode, 303);
      assert.equal((await getEdition(n.store, id))?.currentVersion, 3);
      assert.equal(await findUnsavedText(n.store, id, AUTHOR.email), undefined);
    });

    await t.test('a version saved after « ready » takes a second look; the approval is of the version seen', async () => {
      // The editor's save at version 2 sent the approved edition back to ready; the author then saved version 3.
      assert.equal((await getEdition(n.store, id))?.status, 'ready');
      const page = doc((await editor.get(`/newsroom/editions/${id}`)).body);
      assert.equal(page.querySelector('button[value="approved"]') === null, true, 'no direct approval');
      const look = page.querySelector('a[href*="review=1"]');
      assert.match(look?.textContent ?? '', /review the changes since version 2 first/);
      const review = doc((await editor.get(look!.getAttribute('href')!.replace(/&amp;/g, '&'))).body);
      assert.match([...review.querySelectorAll('pre.diff ins')].map((i) => i.textContent).join(''), /Une phrase de l’autrice/);
      const form = review.querySelector('button[value="approved"]')?.closest('form');
      assert.equal(form?.querySelector('input[name="version"]')?.getAttribute('value'), '3');
      // An approval of version 2, looked at before version 3 came, is refused, inside the newsroom, with a way back.
      const stale = await editor.post(`/newsroom/editions/${id}/transition`, { to: 'approved', version: '2' });
      assert.equal(stale.statusCode, 409);
      assert.match(stale.body, /saved after version 2 that was reviewed/);
      assert.match(stale.body, /<nav aria-label="Newsroom">/);
      assert.match(stale.body, new RegExp(`<a class="button" href="/newsroom/editions/${id}">Back to where you were</a>`));
      assert.equal((await getEdition(n.store, id))?.status, 'ready');
      // Without the version it is not an approval of anything seen.
      assert.equal((await editor.post(`/newsroom/editions/${id}/transition`, { to: 'approved' })).statusCode, 400);
      const approved = await editor.post(`/newsroom/editions/${id}/transition`, { to: 'approved', version: '3' });
      assert.equal(approved.statusCode, 303);
      assert.deepEqual([(await getEdition(n.store, id))?.status, (await lastMoveTo(n.store, id, 'approved'))?.version], ['approved', 3]);
    });

    await t.test('restoring a version saves its text as the latest', async () => {
      const versions = doc((await author.get(`/newsroom/editions/${id}/versions`)).body);
      const forms = [...versions.querySelectorAll('form[action$="/restore"]')];
      assert.deepEqual(forms.map((f) => f.querySelector('button')?.textContent), ['Restore version 1', 'Restore version 2']);
      const res = await author.post(`/newsroom/editions/${id}/restore`, { version: '1', base: '3' });
      assert.equal(res.statusCode, 303);
      assert.equal(res.headers.location, `/newsroom/editions/${id}?done=restored`);
      const all = await listVersions(n.store, id);
      assert.deepEqual([all.length, all.at(-1)?.source, all.at(-1)?.author], [4, original, AUTHOR.email]);
      // What was approved is no longer what would go out.
      assert.equal((await getEdition(n.store, id))?.status, 'ready');
      // A restore from a page older than the latest is refused like any save.
      assert.equal((await author.post(`/newsroom/editions/${id}/restore`, { version: '2', base: '3' })).statusCode, 409);
      assert.equal((await listVersions(n.store, id)).length, 4);
    });

    await t.test('unsaved text is kept per person and offered back', async () => {
      const kept = await author.api('POST', `/api/editions/${id}/unsaved`, { source: original + '\nPas encore enregistré.\n', base: 4 });
      assert.equal(kept.statusCode, 200);
      const page = doc((await author.get(`/newsroom/editions/${id}`)).body);
      assert.match(page.querySelector('.unsaved-offer')?.textContent ?? '', /unsaved text from .* started from version 4/);
      assert.equal(rcdata(page.querySelector('textarea#source')?.textContent), original, 'the saved version until asked');
      assert.equal(doc((await editor.get(`/newsroom/editions/${id}`)).body).querySelector('.unsaved-offer') === null, true, 'nobody else sees it');
      const back = doc((await author.get(`/newsroom/editions/${id}?unsaved=1`)).body);
      assert.match(rcdata(back.querySelector('textarea#source')?.textContent), /Pas encore enregistré/);
      assert.equal(back.querySelector('input[name="base"]')?.getAttribute('value'), '4');
      assert.equal((await author.post(`/newsroom/editions/${id}/unsaved/discard`, {})).statusCode, 303);
      assert.equal(await findUnsavedText(n.store, id, AUTHOR.email), undefined);
    });

    await t.test('an author is refused inside the newsroom with a way back; someone off the team too, told nothing', async () => {
      const refused = await author.post(`/newsroom/editions/${n.ids.techEdition}/transition`, { to: 'draft' });
      assert.equal(refused.statusCode, 403);
      assert.match(refused.body, /<nav aria-label="Newsroom">/);
      assert.match(refused.body, new RegExp(`href="/newsroom/editions/${id}">Back to where you were`));
      const outsider = new Visitor(n.app);
      await outsider.signIn(OUTSIDER);
      const hidden = await outsider.get(`/newsroom/editions/${id}`);
      assert.equal(hidden.statusCode, 404);
      assert.match(hidden.body, /<nav aria-label="Newsroom">/);
      assert.match(hidden.body, /href="\/newsroom">Back to where you were/);
    });
    await t.test('a sent edition offers no save and no restore, and keeping unsaved text is refused', async () => {
      await n.store.db.updateTable('editions').set({ status: 'sent' }).where('id', '=', id).execute();
      const page = doc((await editor.get(`/newsroom/editions/${id}`)).body);
      assert.equal([...page.querySelectorAll('button')].filter((b) => /Save/.test(b.textContent ?? '')).length, 0);
      assert.ok(page.querySelector('textarea#source')?.hasAttribute('readonly'));
      assert.equal(page.querySelectorAll('form[action$="/transition"]').length, 0);
      assert.equal(doc((await editor.get(`/newsroom/editions/${id}/versions`)).body).querySelectorAll('form[action$="/restore"]').length, 0);
      assert.equal((await editor.api('POST', `/api/editions/${id}/unsaved`, { source: 'x', base: 4 })).statusCode, 409);
      const refused = await editor.post(`/newsroom/editions/${id}/save`, { source: original + '\n', base: '4' });
      assert.equal(refused.statusCode, 409);
      assert.match(refused.body, /Back to where you were/);
    });

  });
}
