// The word list in the dashboard: an unknown word of the editor's diagnostics
// offers « add to the word list »; once added, the preview no longer reports
// it; the publication's word list page shows who added it and when, and lets an
// editor remove it (then it is reported again). Refusals: no CSRF token, an
// author removing, a word that is not one, another publication's member.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { testBackends } from '../helpers/store.ts';
import { AUTHOR, EDITOR, OUTSIDER, Visitor, newsroom, sampleSource } from './harness.ts';
import { learnedWordsOf } from '../../src/store/learned-words.ts';

const WORDS = '/newsroom/publications/tech-matin/words';
const withName = (): string => sampleSource('tech-matin').replace('Le gouvernement présente ce matin', 'Le ministre Zorbalux présente ce matin');

for (const backend of await testBackends()) {
  test(`word list on ${backend.name}`, async (t) => {
    const n = await newsroom(backend);
    t.after(() => n.close());
    const author = new Visitor(n.app);
    await author.signIn(AUTHOR);
    const editor = new Visitor(n.app);
    await editor.signIn(EDITOR);
    const preview = async (v: Visitor) =>
      (await v.api('POST', '/api/editions/preview', { publication: 'tech-matin', source: withName() })).json().diagnostics as { rule: string; severity: string; word?: string }[];

    await t.test('the editor offers « add to the word list » on an unknown word, and the preview says which word', async () => {
      assert.ok(await author.api('POST', `/api/editions/${n.ids.techEdition}`, { source: withName() }));
      const page = await author.get(`/newsroom/editions/${n.ids.techEdition}`);
      assert.equal(page.statusCode, 200);
      assert.match(page.body, /<li class="info">.*« Zorbalux », probably a name.*<form method="post" action="\/newsroom\/publications\/tech-matin\/words" class="learn">/);
      assert.match(page.body, /<input type="hidden" name="word" value="Zorbalux">.*<button type="submit">Add « Zorbalux » to the word list<\/button>/);
      assert.deepEqual((await preview(author)).filter((d) => d.rule === 'unknown-word').map((d) => `${d.severity} ${d.word}`), ['info Zorbalux']);
    });

    await t.test('without the CSRF token nothing is added (403)', async () => {
      const form = await author.post(WORDS, { word: 'Zorbalux' }, { csrf: null });
      assert.equal(form.statusCode, 403);
      const api = await author.api('POST', '/api/publications/tech-matin/words', { word: 'Zorbalux' }, { csrf: null });
      assert.equal(api.statusCode, 403);
      assert.equal(api.json().error.code, 'csrf-refused');
      assert.deepEqual(await learnedWordsOf(n.store, n.ids.techMatin), []);
    });

    await t.test('what is not a word is refused with why, and nothing is added', async () => {
      for (const [word, why] of [
        ['', /empty/],
        ['<script>', /not a word/],
        ['x'.repeat(81), /at most 80/],
      ] as const) {
        const res = await author.api('POST', '/api/publications/tech-matin/words', { word });
        assert.equal(res.statusCode, 400, word);
        assert.match(res.json().error.message, why);
      }
      assert.deepEqual(await learnedWordsOf(n.store, n.ids.techMatin), []);
    });

    await t.test('someone off the publication’s team gets 404, as for a publication that does not exist', async () => {
      const outsider = new Visitor(n.app);
      await outsider.signIn(OUTSIDER);
      const res = await outsider.api('POST', '/api/publications/tech-matin/words', { word: 'Zorbalux' });
      assert.equal(res.statusCode, 404);
      assert.deepEqual(await learnedWordsOf(n.store, n.ids.techMatin), []);
    });

    await t.test('an author adds it from the editor: the preview no longer reports it; the page says who and when', async () => {
      const form = await author.get(`/newsroom/editions/${n.ids.techEdition}`);
      assert.equal(form.statusCode, 200);
      const res = await author.post(WORDS, { word: 'Zorbalux', back: `/newsroom/editions/${n.ids.techEdition}` });
      assert.equal(res.statusCode, 303);
      assert.equal(res.headers.location, `/newsroom/editions/${n.ids.techEdition}`);
      assert.deepEqual((await preview(author)).filter((d) => d.rule === 'unknown-word'), []);
      const again = await author.api('POST', '/api/publications/tech-matin/words', { word: 'zorbalux' });
      assert.deepEqual(again.json(), { word: 'zorbalux', added: false });
      // Another address to come back to is not followed.
      const away = await author.post(WORDS, { word: 'Kyutai', back: 'https://evil.example/' });
      assert.equal(away.headers.location, `${WORDS}?done=added`);
      const list = await author.get(WORDS);
      assert.match(list.body, /<td lang="fr">Zorbalux<\/td>\s*<td>added by hand<\/td>\s*<td>jeanne\.moreau@example\.org<\/td>\s*<td>\d{4}-\d\d-\d\d \d\d:\d\d UTC<\/td>/);
      assert.doesNotMatch(list.body, /Remove « Zorbalux »/, 'an author sees no remove button');
    });

    await t.test('an author may not remove a word (403); an editor may, and the preview reports it again', async () => {
      await author.get(WORDS);
      const refused = await author.post(`${WORDS}/remove`, { word: 'Zorbalux' });
      assert.equal(refused.statusCode, 403);
      assert.ok((await learnedWordsOf(n.store, n.ids.techMatin)).includes('Zorbalux'));
      const list = await editor.get(WORDS);
      assert.match(list.body, /<button type="submit">Remove « Zorbalux »<\/button>/);
      const removed = await editor.post(`${WORDS}/remove`, { word: 'Zorbalux' });
      assert.equal(removed.statusCode, 303);
      assert.equal(removed.headers.location, `${WORDS}?done=removed`);
      assert.ok(!(await learnedWordsOf(n.store, n.ids.techMatin)).includes('Zorbalux'));
      assert.deepEqual((await preview(editor)).filter((d) => d.rule === 'unknown-word').map((d) => d.word), ['Zorbalux']);
      const gone = await editor.post(`${WORDS}/remove`, { word: 'Zorbalux' });
      assert.equal(gone.statusCode, 404);
    });
  });
}
