// Versions as the ground of every change: a save from an older version than
// the latest is refused with nothing written; an approval names the version
// reviewed and is refused once another was saved; each move records the
// version it was made at; a person's unsaved text is kept until they save.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { testBackends } from '../helpers/store.ts';
import { AUTHOR, EDITOR, editionSource, publication } from '../helpers/newsroom.ts';
import { FakeClock } from '../../src/clock.ts';
import { upsertPublication } from '../../src/store/publications.ts';
import { getEdition, lastMoveTo, listVersions, saveEdition, transitionEdition } from '../../src/store/editions.ts';
import { changedSinceReady, WorkflowError } from '../../src/edition/workflow.ts';
import { discardDraft, findDraft, keepDraft } from '../../src/store/edition-drafts.ts';

const DATE = '2026-03-02';

function refusedWith(code: string, versions?: { base: number; latest: number }) {
  return (err: unknown) => {
    assert.ok(err instanceof WorkflowError, String(err));
    assert.equal(err.code, code);
    if (versions) assert.deepEqual([err.details.baseVersion, err.details.latestVersion], [versions.base, versions.latest]);
    return true;
  };
}

for (const backend of await testBackends()) {
  test(`${backend.name}: a save from an older version than the latest is refused and writes nothing`, async () => {
    const store = await backend.open();
    try {
      const clock = new FakeClock(Date.parse('2026-03-01T20:00:00Z'));
      const { id: publicationId } = await upsertPublication(store, publication(), { actor: 'cli', clock });
      const first = await saveEdition(store, { publicationId, date: DATE, source: editionSource(DATE), author: AUTHOR.email }, { clock });
      // The editor and the author both open version 1; the editor saves first.
      const editor = await saveEdition(store, { publicationId, date: DATE, source: editionSource(DATE, 'Editor’s text.'), author: EDITOR.email, baseVersion: 1 }, { clock });
      assert.equal(editor.version, 2);
      await assert.rejects(
        saveEdition(store, { publicationId, date: DATE, source: editionSource(DATE, 'Author’s text.'), author: AUTHOR.email, baseVersion: 1 }, { clock }),
        refusedWith('version-conflict', { base: 1, latest: 2 }),
      );
      const versions = await listVersions(store, first.editionId);
      assert.deepEqual(versions.map((v) => v.number), [1, 2]);
      assert.match(versions[1]!.source, /Editor’s text/);
      // From the latest, the author's save goes through.
      const again = await saveEdition(store, { publicationId, date: DATE, source: editionSource(DATE, 'Author’s text.'), author: AUTHOR.email, baseVersion: 2 }, { clock });
      assert.equal(again.version, 3);
      // Two saves from the same version at once: exactly one is kept.
      const racing = await Promise.allSettled(
        ['One.', 'Two.'].map((line) => saveEdition(store, { publicationId, date: DATE, source: editionSource(DATE, line), author: EDITOR.email, baseVersion: 3 }, { clock })),
      );
      assert.deepEqual(racing.map((r) => r.status).sort(), ['fulfilled', 'rejected']);
      assert.equal((await getEdition(store, first.editionId))?.currentVersion, 4);
    } finally {
      await store.dispose();
    }
  });

  test(`${backend.name}: an approval is of the version reviewed; a later save makes it outdated`, async () => {
    const store = await backend.open();
    try {
      const clock = new FakeClock(Date.parse('2026-03-01T20:00:00Z'));
      const { id: publicationId } = await upsertPublication(store, publication(), { actor: 'cli', clock });
      const { editionId } = await saveEdition(store, { publicationId, date: DATE, source: editionSource(DATE), author: AUTHOR.email }, { clock });
      await transitionEdition(store, editionId, 'ready', AUTHOR, { clock });
      assert.equal((await lastMoveTo(store, editionId, 'ready'))?.version, 1);
      assert.equal(changedSinceReady(1, 1), false);
      // The author saves version 2 after « ready », while the editor reviews version 1.
      await saveEdition(store, { publicationId, date: DATE, source: editionSource(DATE, 'Changed after ready.'), author: AUTHOR.email, baseVersion: 1 }, { clock });
      assert.equal(changedSinceReady((await lastMoveTo(store, editionId, 'ready'))?.version, 2), true);
      await assert.rejects(transitionEdition(store, editionId, 'approved', EDITOR, { clock, version: 1 }), refusedWith('approval-outdated', { base: 1, latest: 2 }));
      assert.equal((await getEdition(store, editionId))?.status, 'ready');
      assert.equal(await lastMoveTo(store, editionId, 'approved'), undefined);
      // Approving the version now shown works, and says which version was approved.
      await transitionEdition(store, editionId, 'approved', EDITOR, { clock, version: 2 });
      assert.deepEqual(
        { status: (await getEdition(store, editionId))?.status, version: (await lastMoveTo(store, editionId, 'approved'))?.version },
        { status: 'approved', version: 2 },
      );
      // A save of the approved edition sends it back to ready at the new version.
      await saveEdition(store, { publicationId, date: DATE, source: editionSource(DATE, 'Third.'), author: AUTHOR.email, baseVersion: 2 }, { clock });
      assert.deepEqual(await lastMoveTo(store, editionId, 'ready').then((m) => [m?.from, m?.version]), ['approved', 3]);
    } finally {
      await store.dispose();
    }
  });

  test(`${backend.name}: a person's unsaved text is kept per person until they save or discard it`, async () => {
    const store = await backend.open();
    try {
      const clock = new FakeClock(Date.parse('2026-03-01T20:00:00Z'));
      const { id: publicationId } = await upsertPublication(store, publication(), { actor: 'cli', clock });
      const { editionId } = await saveEdition(store, { publicationId, date: DATE, source: editionSource(DATE), author: AUTHOR.email }, { clock });
      await keepDraft(store, { editionId, author: AUTHOR.email, baseVersion: 1, source: 'first draft' }, { clock });
      clock.advance(5000);
      await keepDraft(store, { editionId, author: AUTHOR.email, baseVersion: 1, source: 'second draft' }, { clock });
      await keepDraft(store, { editionId, author: EDITOR.email, baseVersion: 1, source: 'editor draft' }, { clock });
      assert.deepEqual(await findDraft(store, editionId, AUTHOR.email), {
        editionId,
        author: AUTHOR.email,
        baseVersion: 1,
        source: 'second draft',
        savedAt: clock.now(),
      });
      // Saving a version takes the saver's draft away, not anyone else's.
      await saveEdition(store, { publicationId, date: DATE, source: editionSource(DATE, 'Saved.'), author: AUTHOR.email, baseVersion: 1 }, { clock });
      assert.equal(await findDraft(store, editionId, AUTHOR.email), undefined);
      assert.equal((await findDraft(store, editionId, EDITOR.email))?.source, 'editor draft');
      await discardDraft(store, editionId, EDITOR.email);
      assert.equal(await findDraft(store, editionId, EDITOR.email), undefined);
    } finally {
      await store.dispose();
    }
  });
}
