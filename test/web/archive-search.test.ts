// The public archive's search, through the app on both backends: published
// editions only, the new version's words once it is published again, the
// matches marked and every piece of text escaped, the page in the
// publication's language.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseHTML } from 'linkedom';
import { testBackends } from '../helpers/store.ts';
import { AUTHOR, EDITOR, newsroom, sampleSource } from './harness.ts';
import { saveEdition, transitionEdition } from '../../src/store/editions.ts';

for (const backend of await testBackends()) {
  test(`the archive's search on ${backend.name}`, async (t) => {
    const n = await newsroom(backend);
    t.after(() => n.close());
    const results = async (url: string) => {
      const res = await n.app.inject(url);
      assert.equal(res.statusCode, 200, url);
      const { document } = parseHTML(res.body);
      return { document, links: [...document.querySelectorAll('ul.editions a')].map((a) => a.getAttribute('href')) };
    };

    const archive = await results('/tech-matin');
    assert.ok(archive.document.querySelector('form[role=search] input[type=search][name=q]'), 'a search form');
    assert.equal(archive.document.querySelector('label[for=q]')?.textContent, 'Rechercher dans les éditions');

    const found = await results('/tech-matin?q=tranch%C3%A9es%20kilom%C3%A8tres');
    assert.deepEqual(found.links, ['/tech-matin/2026-03-02']);
    assert.match(found.document.querySelector('.snippet')!.innerHTML, /<mark>tranchées<\/mark>/);
    assert.equal(found.document.querySelector('#editions-title')?.textContent, 'Éditions contenant «\u00a0tranchées kilomètres\u00a0»');

    const none = await results('/tech-matin?q=zeppelin');
    assert.deepEqual(none.links, []);
    assert.match(none.document.body.textContent ?? '', /Aucune édition publiée ne contient «\u00a0zeppelin\u00a0»/);

    // Policy Morning's edition is a draft: its words are found nowhere.
    assert.deepEqual((await results('/policy-morning?q=Ofcom')).links, []);

    // A query is text: reflected escaped.
    const evil = await n.app.inject('/tech-matin?q=%3Cscript%3Ealert(1)%3C%2Fscript%3E');
    assert.doesNotMatch(evil.body, /<script>alert/);
    assert.match(evil.body, /&lt;script&gt;alert\(1\)/);

    // A new version sends the edition back to review: it leaves the results; approved again, its new words are found.
    const source = sampleSource('tech-matin').replace('derniers kilomètres de tranchées', 'dernières gaines');
    await saveEdition(n.store, { publicationId: n.ids.techMatin, date: '2026-03-02', source, author: AUTHOR.email }, { clock: n.clock });
    assert.deepEqual((await results('/tech-matin?q=kilomètres')).links, []);
    await transitionEdition(n.store, n.ids.techEdition, 'approved', { kind: 'person', email: EDITOR.email }, { clock: n.clock });
    assert.deepEqual((await results('/tech-matin?q=gaines')).links, ['/tech-matin/2026-03-02']);
    assert.deepEqual((await results('/tech-matin?q=kilomètres')).links, [], 'the old words are gone');
  });
}
