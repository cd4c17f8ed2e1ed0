// Edition text in the dashboard's lists is set as the edition sets it, in the
// publication's language: ’ and « » in a French subject, marked lang="fr".
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { testBackends } from '../helpers/store.ts';
import { EDITOR, Visitor, newsroom, sampleSource } from './harness.ts';
import { saveEdition } from '../../src/store/editions.ts';
import { typeset } from '../../src/render/typeset.ts';

const [sqlite] = await testBackends();

test('subjects in the editions list (and the « already has an edition » answer) follow the publication’s typography', async (t) => {
  const n = await newsroom(sqlite!);
  t.after(() => n.close());
  const source = sampleSource('tech-matin').replace('date: 2026-03-02', 'date: 2026-03-04\nsubject: "L\'Arcep dit \\"non\\" : fin"');
  await saveEdition(n.store, { publicationId: n.ids.techMatin, date: '2026-03-04', source, author: EDITOR.email }, { clock: n.clock });
  const editor = new Visitor(n.app);
  await editor.signIn(EDITOR);
  const list = await editor.get('/newsroom');
  const set = typeset('L\'Arcep dit "non" : fin', 'fr');
  assert.match(set, /^L’Arcep dit «\s+non\s+»\s+: fin$/u, 'the render’s French typography');
  assert.ok(list.body.includes(`<td><span lang="fr">${set}</span></td>`), 'set as the edition sets it');
  assert.doesNotMatch(list.body, /L'Arcep|&quot;non&quot;/);
  // Starting that date again says which edition is there, its subject set the same way.
  const again = await editor.post('/newsroom/editions', { publication: 'tech-matin', date: '2026-03-04' });
  assert.equal(again.statusCode, 409);
  assert.ok(again.body.includes(`<span lang="fr">${set}</span>`), 'the existing edition’s subject');
  // An English publication keeps English typography.
  assert.match(list.body, /<span lang="en">Telecoms: Ofcom sets a date for the next spectrum auction\.<\/span>/);
});
