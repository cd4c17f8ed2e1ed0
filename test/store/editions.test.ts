import { test } from 'node:test';
import assert from 'node:assert/strict';
import { testBackends } from '../helpers/store.ts';
import { EDITOR, SYSTEM, editionSource, publication } from '../helpers/newsroom.ts';
import { FakeClock } from '../../src/clock.ts';
import { upsertPublication } from '../../src/store/publications.ts';
import {
  findEdition,
  getEdition,
  getVersion,
  listEditions,
  listTransitions,
  listVersions,
  saveEdition,
  transitionEdition,
} from '../../src/store/editions.ts';
import { WorkflowError } from '../../src/edition/workflow.ts';
import { listAudit } from '../../src/store/audit-log.ts';
import { diffVersions } from '../../src/store/version-diff.ts';

for (const backend of await testBackends()) {
  test(`${backend.name}: the first save creates a draft at version 1, the next ones add versions`, async () => {
    const store = await backend.open();
    try {
      const clock = new FakeClock(Date.parse('2026-03-01T20:00:00Z'));
      const { id: publicationId } = await upsertPublication(store, publication(), { actor: 'cli', clock });
      const first = await saveEdition(store, { publicationId, date: '2026-03-02', source: editionSource('2026-03-02'), author: 'jeanne@example.org', subject: 'Fibre' }, { clock });
      assert.deepEqual({ ...first, editionId: 0 }, { editionId: 0, version: 1, created: true, status: 'draft' });
      clock.advance(60_000);
      const second = await saveEdition(store, { publicationId, date: '2026-03-02', source: editionSource('2026-03-02', 'Deuxième version.'), author: 'lucie@example.org' }, { clock });
      assert.equal(second.editionId, first.editionId);
      assert.equal(second.version, 2);
      assert.equal(second.created, false);

      const edition = await getEdition(store, first.editionId);
      assert.equal(edition?.currentVersion, 2);
      assert.equal(edition?.status, 'draft');
      assert.equal(edition?.updatedAt, Date.parse('2026-03-01T20:01:00Z'));
      assert.deepEqual(await findEdition(store, publicationId, '2026-03-02'), edition);
      const versions = await listVersions(store, first.editionId);
      assert.deepEqual(versions.map((v) => [v.number, v.author, v.createdAt]), [
        [1, 'jeanne@example.org', Date.parse('2026-03-01T20:00:00Z')],
        [2, 'lucie@example.org', Date.parse('2026-03-01T20:01:00Z')],
      ]);
      assert.equal((await getVersion(store, first.editionId))?.number, 2);
      assert.equal((await getVersion(store, first.editionId, 1))?.source, editionSource('2026-03-02'));
      assert.deepEqual((await listAudit(store, { type: 'edition', id: first.editionId })).map((e) => e.action), ['edition.save', 'edition.save']);
    } finally {
      await store.dispose();
    }
  });

  test(`${backend.name}: two versions compare as a unified line diff`, async () => {
    const store = await backend.open();
    try {
      const { id: publicationId } = await upsertPublication(store, publication(), { actor: 'cli' });
      const a = await saveEdition(store, { publicationId, date: '2026-03-02', source: editionSource('2026-03-02'), author: 'jeanne@example.org' });
      await saveEdition(store, { publicationId, date: '2026-03-02', source: editionSource('2026-03-02', 'Deuxième version.'), author: 'jeanne@example.org' });
      const patch = await diffVersions(store, a.editionId, 1, 2);
      assert.ok(patch);
      assert.match(patch, new RegExp(`^--- edition-${a.editionId}/v1\\t`, 'm'));
      assert.match(patch, new RegExp(`^\\+\\+\\+ edition-${a.editionId}/v2\\t`, 'm'));
      assert.match(patch, /^-Première version\.$/m);
      assert.match(patch, /^\+Deuxième version\.$/m);
      assert.match(patch, /^ ## Les câbles d'abord\.$/m);
      assert.equal(await diffVersions(store, a.editionId, 1, 9), undefined);
    } finally {
      await store.dispose();
    }
  });

  test(`${backend.name}: editing an approved edition sends it back to ready, recorded as a move by the one who saved`, async () => {
    for (const status of ['approved', 'scheduled'] as const) {
      const store = await backend.open();
      try {
        const { id: publicationId } = await upsertPublication(store, publication(), { actor: 'cli' });
        const { editionId } = await saveEdition(store, { publicationId, date: '2026-03-02', source: 'v1', author: 'jeanne@example.org' });
        await transitionEdition(store, editionId, 'ready', EDITOR);
        await transitionEdition(store, editionId, 'approved', EDITOR);
        if (status === 'scheduled') await transitionEdition(store, editionId, 'scheduled', SYSTEM);
        const saved = await saveEdition(store, { publicationId, date: '2026-03-02', source: 'v2', author: 'jeanne@example.org' });
        assert.equal(saved.status, 'ready');
        assert.equal(saved.sentBackFrom, status);
        assert.equal((await getEdition(store, editionId))?.status, 'ready');
        const last = (await listTransitions(store, editionId)).at(-1);
        assert.deepEqual([last?.from, last?.to, last?.actor], [status, 'ready', 'jeanne@example.org']);
      } finally {
        await store.dispose();
      }
    }
  });

  test(`${backend.name}: saving a draft or a ready edition keeps its state`, async () => {
    const store = await backend.open();
    try {
      const { id: publicationId } = await upsertPublication(store, publication(), { actor: 'cli' });
      const { editionId } = await saveEdition(store, { publicationId, date: '2026-03-02', source: 'v1', author: 'a' });
      await transitionEdition(store, editionId, 'ready', EDITOR);
      const saved = await saveEdition(store, { publicationId, date: '2026-03-02', source: 'v2', author: 'a' });
      assert.equal(saved.status, 'ready');
      assert.equal(saved.sentBackFrom, undefined);
      assert.equal((await listTransitions(store, editionId)).length, 1);
    } finally {
      await store.dispose();
    }
  });

  test(`${backend.name}: saving the current version's source again saves nothing and keeps the approval`, async () => {
    const store = await backend.open();
    try {
      const clock = new FakeClock(Date.parse('2026-03-01T20:00:00Z'));
      const { id: publicationId } = await upsertPublication(store, publication(), { actor: 'cli', clock });
      const source = editionSource('2026-03-02');
      const { editionId } = await saveEdition(store, { publicationId, date: '2026-03-02', source, author: 'jeanne@example.org' }, { clock });
      await transitionEdition(store, editionId, 'ready', EDITOR, { clock });
      await transitionEdition(store, editionId, 'approved', EDITOR, { clock });
      const before = await getEdition(store, editionId);
      const audit = (await listAudit(store, { type: 'edition', id: editionId })).length;

      clock.advance(60_000);
      const again = await saveEdition(store, { publicationId, date: '2026-03-02', source, author: 'lucie@example.org' }, { clock });
      assert.deepEqual(again, { editionId, version: 1, created: false, status: 'approved', unchanged: true });
      assert.deepEqual(await getEdition(store, editionId), before);
      assert.equal((await listVersions(store, editionId)).length, 1);
      assert.deepEqual((await listTransitions(store, editionId)).map((t) => t.to), ['ready', 'approved']);
      assert.equal((await listAudit(store, { type: 'edition', id: editionId })).length, audit);

      // One byte more is a new version, and the approval goes.
      const changed = await saveEdition(store, { publicationId, date: '2026-03-02', source: `${source}\n`, author: 'lucie@example.org' }, { clock });
      assert.deepEqual([changed.version, changed.status, changed.sentBackFrom, changed.unchanged], [2, 'ready', 'approved', undefined]);
    } finally {
      await store.dispose();
    }
  });

  test(`${backend.name}: the subject stored is the source's own, whatever the caller passes`, async () => {
    const store = await backend.open();
    try {
      const { id: publicationId } = await upsertPublication(store, publication(), { actor: 'cli' });
      const withMenu = editionSource('2026-03-02').replace("## Les câbles d'abord.\n", "## Les câbles d'abord.\n\n> menu: Réseaux : le plan **fibre** avance.\n");
      const { editionId } = await saveEdition(store, { publicationId, date: '2026-03-02', source: withMenu, author: 'a' });
      assert.equal((await getEdition(store, editionId))?.subject, 'Réseaux : le plan fibre avance.');
      await saveEdition(store, { publicationId, date: '2026-03-02', source: editionSource('2026-03-02'), author: 'a', subject: 'Autre chose' });
      assert.equal((await getEdition(store, editionId))?.subject, 'Le fait du jour');
      // A source that is not an edition yet keeps the subject given, if any.
      const broken = await saveEdition(store, { publicationId, date: '2026-03-03', source: 'pas encore', author: 'a', subject: 'Brouillon' });
      assert.equal((await getEdition(store, broken.editionId))?.subject, 'Brouillon');
      const bare = await saveEdition(store, { publicationId, date: '2026-03-04', source: 'pas encore', author: 'a' });
      assert.equal((await getEdition(store, bare.editionId))?.subject, null);
    } finally {
      await store.dispose();
    }
  });

  test(`${backend.name}: an edition being sent or sent refuses new versions and keeps its last one`, async () => {
    const store = await backend.open();
    try {
      const { id: publicationId } = await upsertPublication(store, publication(), { actor: 'cli' });
      const { editionId } = await saveEdition(store, { publicationId, date: '2026-03-02', source: 'v1', author: 'a' });
      await store.db.updateTable('editions').set({ status: 'sending' }).where('id', '=', editionId).execute();
      await assert.rejects(
        saveEdition(store, { publicationId, date: '2026-03-02', source: 'v2', author: 'a' }),
        (err: unknown) => err instanceof WorkflowError && err.code === 'edition-locked' && err.details.current === 'sending',
      );
      assert.equal((await getEdition(store, editionId))?.currentVersion, 1);
      assert.equal((await listVersions(store, editionId)).length, 1);
    } finally {
      await store.dispose();
    }
  });

  test(`${backend.name}: one edition per publication and date, in the database itself`, async () => {
    const store = await backend.open();
    try {
      const { id: publicationId } = await upsertPublication(store, publication(), { actor: 'cli' });
      await saveEdition(store, { publicationId, date: '2026-03-02', source: 'v1', author: 'a' });
      await saveEdition(store, { publicationId, date: '2026-03-03', source: 'v1', author: 'a' });
      await assert.rejects(
        store.db.insertInto('editions').values({ publication_id: publicationId, date: '2026-03-02', current_version: 1, subject: null, created_at: 1, updated_at: 1 }).execute(),
      );
      assert.deepEqual((await listEditions(store, publicationId)).map((e) => e.date), ['2026-03-03', '2026-03-02']);
    } finally {
      await store.dispose();
    }
  });

  test(`${backend.name}: concurrent saves of the same new edition make one edition with versions 1 and 2`, async () => {
    const store = await backend.open();
    const other = await import('../../src/store/db.ts').then((m) => m.openStore(store.options));
    try {
      const { id: publicationId } = await upsertPublication(store, publication(), { actor: 'cli' });
      const results = await Promise.all([
        saveEdition(store, { publicationId, date: '2026-03-02', source: 'a', author: 'a' }),
        saveEdition(store.capabilities.dialect === 'postgres' ? other : store, { publicationId, date: '2026-03-02', source: 'b', author: 'b' }),
      ]);
      assert.deepEqual(results.map((r) => r.version).sort(), [1, 2]);
      assert.equal(results[0].editionId, results[1].editionId);
      assert.deepEqual(results.map((r) => r.created).sort(), [false, true]);
    } finally {
      await other.close();
      await store.dispose();
    }
  });
}
