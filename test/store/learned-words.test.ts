// The learned word list on both backends: a word of one approved edition is
// still unknown, of two it is learned; a word accepted in the editor is learned
// at once; a removed word is flagged again; another publication never sees it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { testBackends } from '../helpers/store.ts';
import { EDITOR, editionSource, publication } from '../helpers/newsroom.ts';
import { FakeClock } from '../../src/clock.ts';
import type { Store } from '../../src/store/db.ts';
import { upsertPublication } from '../../src/store/publications.ts';
import { saveEdition, transitionEdition } from '../../src/store/editions.ts';
import { forgetWord, learnWord, learnedWordsOf, listLearnedWords } from '../../src/store/learned-words.ts';
import { listAudit } from '../../src/store/audit-log.ts';
import { lintEdition } from '../../src/edition/lint.ts';
import { parseEdition } from '../../src/edition/parse.ts';
import type { Publication } from '../../src/edition/publication.ts';

const LINE = 'La ministre Chappaz reçoit la Zorbalux, et le gouvernemant attend.';

async function approve(store: Store, publicationId: number, date: string, line: string, clock: FakeClock): Promise<number> {
  const { editionId } = await saveEdition(store, { publicationId, date, source: editionSource(date, line), author: 'jeanne@example.org' }, { clock });
  await transitionEdition(store, editionId, 'ready', EDITOR, { clock });
  clock.advance(1000);
  await transitionEdition(store, editionId, 'approved', EDITOR, { clock });
  return editionId;
}

/** The words the spelling check still reports in LINE, with the publication's learned words. */
async function flagged(store: Store, publicationId: number, settings: Publication): Promise<string[]> {
  const source = editionSource('2026-04-01', LINE);
  const { edition } = parseEdition(source, { file: 'e.md', publication: settings });
  const words = await learnedWordsOf(store, publicationId);
  const diagnostics = await lintEdition({ source, edition: edition!, publication: settings, file: 'e.md', words });
  return diagnostics.filter((d) => d.rule === 'unknown-word').map((d) => d.word!);
}

for (const backend of await testBackends()) {
  test(`${backend.name}: an unknown word is learned from the second approved edition that holds it, not the first`, async () => {
    const store = await backend.open();
    try {
      const clock = new FakeClock(Date.parse('2026-03-01T20:00:00Z'));
      const settings = publication();
      const { id } = await upsertPublication(store, settings, { actor: 'cli', clock });
      assert.deepEqual(await flagged(store, id, settings), ['Chappaz', 'Zorbalux', 'gouvernemant']);

      const first = await approve(store, id, '2026-03-02', LINE, clock);
      assert.deepEqual(await learnedWordsOf(store, id), [], 'one approved edition teaches nothing');
      // The same edition approved again (after a move back) still counts once.
      await transitionEdition(store, first, 'draft', EDITOR, { clock });
      await transitionEdition(store, first, 'ready', EDITOR, { clock });
      await transitionEdition(store, first, 'approved', EDITOR, { clock });
      assert.deepEqual(await learnedWordsOf(store, id), [], 'the same edition approved twice is one edition');
      assert.deepEqual(await flagged(store, id, settings), ['Chappaz', 'Zorbalux', 'gouvernemant']);

      clock.advance(60_000);
      const second = await approve(store, id, '2026-03-03', 'Chappaz parle, Zorbalux écoute.', clock);
      const learned = await listLearnedWords(store, id);
      assert.deepEqual(
        learned.map((w) => [w.word, w.source, w.addedBy, w.addedAt]),
        [
          ['Chappaz', 'approvals', 'lucie@example.org', clock.now()],
          ['Zorbalux', 'approvals', 'lucie@example.org', clock.now()],
        ],
      );
      // The typo of the first edition was approved once only: still flagged.
      assert.deepEqual(await flagged(store, id, settings), ['gouvernemant']);
      const audit = (await listAudit(store, { type: 'edition', id: second })).find((a) => a.action === 'word.learn');
      assert.deepEqual(audit?.details, { words: ['Chappaz', 'Zorbalux'] });
    } finally {
      await store.dispose();
    }
  });

  test(`${backend.name}: a word accepted in the editor is learned at once; removed, it is flagged again; other publications never see it`, async () => {
    const store = await backend.open();
    try {
      const clock = new FakeClock(Date.parse('2026-03-01T20:00:00Z'));
      const settings = publication();
      const other = publication({ slug: 'autre-matin', name: 'Autre Matin' });
      const { id } = await upsertPublication(store, settings, { actor: 'cli', clock });
      const { id: otherId } = await upsertPublication(store, other, { actor: 'cli', clock });

      assert.equal(await learnWord(store, { publicationId: id, word: 'Zorbalux', by: 'jeanne@example.org' }, { clock }), true);
      assert.equal(await learnWord(store, { publicationId: id, word: 'ZORBALUX', by: 'lucie@example.org' }, { clock }), false, 'known already, in any case');
      assert.deepEqual(
        (await listLearnedWords(store, id)).map((w) => [w.word, w.source, w.addedBy, w.addedAt]),
        [['Zorbalux', 'editor', 'jeanne@example.org', clock.now()]],
      );
      assert.deepEqual(await flagged(store, id, settings), ['Chappaz', 'gouvernemant']);
      assert.deepEqual(await flagged(store, otherId, other), ['Chappaz', 'Zorbalux', 'gouvernemant'], 'another publication is unaffected');

      // Learned from two approved editions of the other publication: only there.
      await approve(store, otherId, '2026-03-02', LINE, clock);
      await approve(store, otherId, '2026-03-03', LINE, clock);
      assert.deepEqual(await learnedWordsOf(store, otherId), ['Chappaz', 'gouvernemant', 'Zorbalux']);
      assert.deepEqual(await learnedWordsOf(store, id), ['Zorbalux']);

      assert.equal(await forgetWord(store, { publicationId: otherId, word: 'gouvernemant', by: 'lucie@example.org' }, { clock }), true);
      assert.deepEqual(await flagged(store, otherId, other), ['gouvernemant'], 'removed: flagged again');
      assert.equal(await forgetWord(store, { publicationId: otherId, word: 'gouvernemant', by: 'lucie@example.org' }, { clock }), false);
      // What the approved editions taught went with it: one more approval is not enough to learn it back.
      await approve(store, otherId, '2026-03-04', LINE, clock);
      assert.deepEqual(await flagged(store, otherId, other), ['gouvernemant']);
      await approve(store, otherId, '2026-03-05', LINE, clock);
      assert.deepEqual(await flagged(store, otherId, other), []);
      const actions = (await listAudit(store, { type: 'publication', id: otherId })).map((a) => a.action).filter((a) => a.startsWith('word.'));
      assert.deepEqual(actions, ['word.forget']);
    } finally {
      await store.dispose();
    }
  });
}
