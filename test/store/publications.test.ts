import { test } from 'node:test';
import assert from 'node:assert/strict';
import { testBackends } from '../helpers/store.ts';
import { publication } from '../helpers/newsroom.ts';
import { FakeClock } from '../../src/clock.ts';
import { getPublicationBySlug, listPublications, upsertPublication } from '../../src/store/publications.ts';
import { roleOf } from '../../src/store/people.ts';
import { listAudit } from '../../src/store/audit-log.ts';
import { addAccount } from '../../src/web/auth/accounts.ts';

for (const backend of await testBackends()) {
  test(`${backend.name}: a publication is stored with its settings and team, and found by slug`, async () => {
    const store = await backend.open();
    try {
      const clock = new FakeClock(Date.parse('2026-03-01T05:00:00Z'));
      const first = await upsertPublication(store, publication(), { actor: 'cli', clock });
      assert.equal(first.created, true);
      const stored = await getPublicationBySlug(store, 'tech-matin');
      assert.ok(stored);
      assert.equal(stored.id, first.id);
      assert.deepEqual(stored.settings, publication());
      assert.deepEqual(
        stored.team.map((m) => [m.email, m.role]),
        [['jeanne@example.org', 'author'], ['lucie@example.org', 'editor'], ['ada@example.org', 'admin']],
      );
      assert.equal(stored.createdAt, Date.parse('2026-03-01T05:00:00Z'));
      assert.equal(await getPublicationBySlug(store, 'nope'), undefined);
    } finally {
      await store.dispose();
    }
  });

  test(`${backend.name}: adding a publication again updates it and makes its team exactly the new one`, async () => {
    const store = await backend.open();
    try {
      const clock = new FakeClock(1_000);
      const { id } = await upsertPublication(store, publication(), { actor: 'cli', clock });
      clock.advance(5_000);
      const again = await upsertPublication(
        store,
        publication({
          name: 'Tech Matin !',
          team: [
            { name: 'Jeanne Moreau', email: 'Jeanne@Example.org', role: 'editor' },
            { name: 'Paul Girard', email: 'paul@example.org', role: 'author' },
          ],
        }),
        { actor: 'cli', clock },
      );
      assert.deepEqual({ id: again.id, created: again.created }, { id, created: false });
      assert.deepEqual(again.team.removed.map((m) => [m.email, m.role]), [['lucie@example.org', 'editor'], ['ada@example.org', 'admin']]);
      assert.deepEqual(again.team.kept, []);
      const stored = await getPublicationBySlug(store, 'tech-matin');
      assert.equal(stored?.settings.name, 'Tech Matin !');
      assert.equal(stored?.updatedAt, 6_000);
      assert.equal(stored?.createdAt, 1_000);
      assert.deepEqual(stored?.team.map((m) => [m.email, m.role]), [['jeanne@example.org', 'editor'], ['paul@example.org', 'author']]);
      assert.equal(await roleOf(store, id, 'lucie@example.org'), undefined);
      assert.equal(await roleOf(store, id, 'JEANNE@example.org'), 'editor');
      assert.deepEqual((await listAudit(store, { type: 'publication' })).map((e) => e.action), ['publication.create', 'publication.update']);
    } finally {
      await store.dispose();
    }
  });

  test(`${backend.name}: one person may belong to two publications with different roles`, async () => {
    const store = await backend.open();
    try {
      const a = await upsertPublication(store, publication(), { actor: 'cli' });
      const b = await upsertPublication(
        store,
        publication({ slug: 'policy-morning', name: 'Policy Morning', language: 'en', team: [{ name: 'Lucie Fabre', email: 'lucie@example.org', role: 'author' }] }),
        { actor: 'cli' },
      );
      assert.equal(await roleOf(store, a.id, 'lucie@example.org'), 'editor');
      assert.equal(await roleOf(store, b.id, 'lucie@example.org'), 'author');
      assert.deepEqual((await listPublications(store)).map((p) => p.settings.slug), ['policy-morning', 'tech-matin']);
      assert.equal((await store.db.selectFrom('people').select('id').execute()).length, 3);
    } finally {
      await store.dispose();
    }
  });

  test(`${backend.name}: adding the settings again keeps the members they never listed (accounts from \`user add\`), and removes only those they listed before`, async () => {
    const store = await backend.open();
    try {
      const clock = new FakeClock(1_000);
      const { id } = await upsertPublication(store, publication(), { actor: 'cli', clock });
      // An account made for this publication afterwards, and one listed by the file whose role was raised by `user add`.
      await addAccount(store, { email: 'Chief@Example.org', name: 'Ada Chief', password: 'a-long-enough-password', role: 'admin' }, clock);
      await addAccount(store, { email: 'jeanne@example.org', password: 'a-long-enough-password', role: 'editor' }, clock);

      const again = await upsertPublication(
        store,
        publication({ team: [{ name: 'Jeanne Moreau', email: 'jeanne@example.org', role: 'author' }, { name: 'Ada Admin', email: 'ada@example.org', role: 'admin' }] }),
        { actor: 'cli', clock },
      );
      assert.deepEqual(again.team.removed.map((m) => [m.email, m.role]), [['lucie@example.org', 'editor']], 'listed before, no longer in the file');
      assert.deepEqual(again.team.kept.map((m) => [m.email, m.role]), [['chief@example.org', 'admin']], 'never in the file');
      assert.equal(await roleOf(store, id, 'chief@example.org'), 'admin');
      assert.equal(await roleOf(store, id, 'lucie@example.org'), undefined);
      assert.equal(await roleOf(store, id, 'jeanne@example.org'), 'author', 'the file is the truth for whom it lists');
      const update = (await listAudit(store, { type: 'publication' })).at(-1);
      assert.deepEqual(update?.details, { slug: 'tech-matin', removedFromTeam: [{ email: 'lucie@example.org', role: 'editor' }] });

      // Once the file lists the account, the file owns that membership: dropped from the file, it goes.
      await upsertPublication(store, publication({ team: [...publication().team, { name: 'Ada Chief', email: 'chief@example.org', role: 'editor' }] }), { actor: 'cli', clock });
      assert.equal(await roleOf(store, id, 'chief@example.org'), 'editor');
      const last = await upsertPublication(store, publication(), { actor: 'cli', clock });
      assert.deepEqual(last.team.removed.map((m) => m.email), ['chief@example.org']);
      assert.equal(await roleOf(store, id, 'chief@example.org'), undefined);
    } finally {
      await store.dispose();
    }
  });

  test(`${backend.name}: invalid settings are refused before anything is written`, async () => {
    const store = await backend.open();
    try {
      await assert.rejects(upsertPublication(store, publication({ timezone: 'Mars/Olympus' }), { actor: 'cli' }));
      assert.equal((await listPublications(store)).length, 0);
    } finally {
      await store.dispose();
    }
  });
}
