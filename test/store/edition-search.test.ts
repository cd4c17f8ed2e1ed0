// The archive's search index on both backends: every word of the query must
// be there (as a word prefix), only the editions the caller allows are found,
// a new version replaces the words of the old one, and query syntax typed by
// a reader is only words.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { testBackends } from '../helpers/store.ts';
import { samplePublication, sampleSource } from '../web/harness.ts';
import { upsertPublication } from '../../src/store/publications.ts';
import { saveEdition } from '../../src/store/editions.ts';
import { indexEdition, indexedVersions, MATCH_END, MATCH_START, queryWords, searchEditions } from '../../src/store/edition-search.ts';
import { FakeClock } from '../../src/clock.ts';

test('a query is read as words only', () => {
  assert.deepEqual(queryWords('fibre "optique" OR NEAR(x) -élection* l’État'), ['fibre', 'optique', 'OR', 'NEAR', 'x', 'élection', 'l', 'État']);
  assert.deepEqual(queryWords('  *** "" '), []);
});

for (const backend of await testBackends()) {
  test(`archive search on ${backend.name}`, async (t) => {
    const store = await backend.open();
    t.after(() => store.dispose());
    const clock = new FakeClock(Date.parse('2026-03-02T05:00:00Z'));
    const pub = await upsertPublication(store, samplePublication('tech-matin'), { actor: 'test', clock });
    const other = await upsertPublication(store, samplePublication('policy-morning'), { actor: 'test', clock });
    const edition = async (publicationId: number, date: string, slug: 'tech-matin' | 'policy-morning') =>
      (await saveEdition(store, { publicationId, date, source: sampleSource(slug).replace('date: 2026-03-02', `date: ${date}`), author: 'x' }, { clock })).editionId;
    const fibre = await edition(pub.id, '2026-03-02', 'tech-matin');
    const santé = await edition(pub.id, '2026-03-03', 'tech-matin');
    const foreign = await edition(other.id, '2026-03-02', 'policy-morning');

    await indexEdition(store, { editionId: fibre, publicationId: pub.id, version: 1, language: 'fr', subject: 'Le plan fibre', body: 'Les opérateurs attendent les derniers kilomètres de tranchées pour la fibre optique.' });
    await indexEdition(store, { editionId: santé, publicationId: pub.id, version: 1, language: 'fr', subject: 'Données de santé', body: 'Le Conseil d’État examine le recours des associations.' });
    await indexEdition(store, { editionId: foreign, publicationId: other.id, version: 1, language: 'en', subject: 'Spectrum auction', body: 'Operators wait for the fibre auction.' });
    assert.deepEqual([...(await indexedVersions(store, pub.id))].sort(), [[fibre, 1], [santé, 1]]);

    const search = (query: string, editionIds = [fibre, santé]) => searchEditions(store, { publicationId: pub.id, language: 'fr', query, editionIds });
    const ids = async (query: string, editionIds?: number[]) => (await search(query, editionIds)).map((h) => h.editionId);

    assert.deepEqual(await ids('tranchées'), [fibre]);
    assert.deepEqual(await ids('opérateur'), [fibre], 'a word prefix (or its stem) matches');
    assert.deepEqual(await ids('fibre kilomètres'), [fibre], 'every word');
    assert.deepEqual(await ids('fibre associations'), [], 'every word, not any');
    assert.deepEqual(await ids('recours'), [santé]);
    assert.deepEqual(await ids('auction'), [], 'another publication’s words are not this one’s');
    assert.deepEqual(await ids('tranchées', [santé]), [], 'only the editions the caller allows');
    assert.deepEqual(await ids('"tranchées"* ( - :'), [fibre], 'syntax typed by a reader is ignored');
    assert.deepEqual(await ids(''), []);

    const [hit] = await search('tranchées');
    assert.ok(hit!.snippet.includes(`${MATCH_START}tranchées${MATCH_END}`), hit!.snippet);

    // A new version replaces the old words.
    await indexEdition(store, { editionId: fibre, publicationId: pub.id, version: 2, language: 'fr', subject: 'Le plan fibre', body: 'Les câbles sont posés.' });
    assert.deepEqual(await ids('tranchées'), []);
    assert.deepEqual(await ids('câbles'), [fibre]);
    assert.equal((await indexedVersions(store, pub.id)).get(fibre), 2);
  });
}

for (const backend of await testBackends()) {
  test(`a saved version is indexed with its save, so that no search indexes (${backend.name})`, async () => {
    const store = await backend.open();
    try {
      const clock = new FakeClock(Date.parse('2026-03-02T05:00:00Z'));
      const pub = await upsertPublication(store, samplePublication('tech-matin'), { actor: 'test', clock });
      const source = sampleSource('tech-matin').replace('tranchées', 'tranchées zorglubiennes');
      const first = await saveEdition(store, { publicationId: pub.id, date: '2026-03-02', source, author: 'x' }, { clock });
      assert.deepEqual([...(await indexedVersions(store, pub.id))], [[first.editionId, 1]]);
      const search = async (query: string) =>
        (await searchEditions(store, { publicationId: pub.id, language: 'fr', query, editionIds: [first.editionId] })).map((h) => h.editionId);
      assert.deepEqual(await search('zorglubiennes'), [first.editionId]);
      const second = await saveEdition(store, { publicationId: pub.id, date: '2026-03-02', source: source.replace('zorglubiennes', 'fourreaux'), author: 'x' }, { clock });
      assert.equal(second.version, 2);
      assert.deepEqual([...(await indexedVersions(store, pub.id))], [[first.editionId, 2]]);
      assert.deepEqual(await search('zorglubiennes'), [], 'the old version’s words are gone');
      assert.deepEqual(await search('fourreaux'), [first.editionId]);
    } finally {
      await store.dispose();
    }
  });
}
