import { test } from 'node:test';
import assert from 'node:assert/strict';
import { testBackends } from '../helpers/store.ts';
import { ADMIN, AUTHOR, EDITOR, SYSTEM, publication } from '../helpers/newsroom.ts';
import { FakeClock } from '../../src/clock.ts';
import { openStore } from '../../src/store/db.ts';
import { upsertPublication } from '../../src/store/publications.ts';
import { getEdition, listTransitions, saveEdition, transitionEdition } from '../../src/store/editions.ts';
import { WorkflowError, type Actor } from '../../src/edition/workflow.ts';
import { listAudit } from '../../src/store/audit-log.ts';
import { EDITION_STATUSES, type EditionStatus } from '../../src/store/schema.ts';

const OUTSIDER = { kind: 'person', email: 'someone@elsewhere.org' } as const;
const ACTORS: Record<string, Actor> = { author: AUTHOR, editor: EDITOR, admin: ADMIN, system: SYSTEM, outsider: OUTSIDER };

// The workflow as the newsroom asked for it, written out independently of the rules in the code.
const ALLOWED: Record<string, string[]> = {
  'draft→ready': ['author', 'editor', 'admin'],
  'ready→approved': ['editor', 'admin'],
  // Scheduled, sending and sent mean a send exists: only the delivery (system) goes there.
  'approved→scheduled': ['system'],
  'scheduled→approved': ['editor', 'admin', 'system'],
  'scheduled→sending': ['system'],
  'sending→sent': ['system'],
  'ready→draft': ['editor', 'admin'],
  'approved→draft': ['editor', 'admin'],
  'scheduled→draft': ['editor', 'admin'],
};

for (const backend of await testBackends()) {
  test(`${backend.name}: every move is allowed or refused as the workflow says, and only allowed ones leave a trace`, async () => {
    const store = await backend.open();
    try {
      const clock = new FakeClock(Date.parse('2026-03-01T20:00:00Z'));
      const { id: publicationId } = await upsertPublication(store, publication(), { actor: 'cli', clock });
      let day = 0;
      for (const from of EDITION_STATUSES) {
        for (const to of EDITION_STATUSES) {
          if (from === to) continue;
          for (const [who, actor] of Object.entries(ACTORS)) {
            day += 1;
            const date = new Date(Date.UTC(2026, 0, day)).toISOString().slice(0, 10);
            const { editionId } = await saveEdition(store, { publicationId, date, source: 'x', author: 'a' }, { clock });
            await store.db.updateTable('editions').set({ status: from }).where('id', '=', editionId).execute();
            const allowed = (ALLOWED[`${from}→${to}`] ?? []).includes(who);
            const label = `${who}: ${from} → ${to}`;
            clock.advance(1000);
            if (allowed) {
              const moved = await transitionEdition(store, editionId, to, actor, { clock });
              assert.deepEqual([moved.from, moved.to], [from, to], label);
              assert.equal((await getEdition(store, editionId))?.status, to, label);
              const history = await listTransitions(store, editionId);
              assert.deepEqual(history, [{ from, to, actor: moved.actor, at: clock.now() }], label);
              assert.equal(moved.actor, actor.kind === 'person' ? actor.email : 'system:scheduler');
              const audit = (await listAudit(store, { type: 'edition', id: editionId })).at(-1);
              assert.deepEqual([audit?.action, audit?.details, audit?.at], ['edition.transition', { from, to }, clock.now()], label);
            } else {
              const moveExists = ALLOWED[`${from}→${to}`] !== undefined;
              const deliveryOnly = ['scheduled', 'sending', 'sent'].includes(to) && who !== 'system';
              const expected = deliveryOnly ? 'role-not-allowed' : !moveExists ? 'wrong-state' : who === 'outsider' ? 'not-a-member' : 'role-not-allowed';
              await assert.rejects(
                transitionEdition(store, editionId, to, actor, { clock }),
                (err: unknown) => {
                  assert.ok(err instanceof WorkflowError, label);
                  assert.equal(err.code, expected, label);
                  assert.equal(err.details.current, from, label);
                  assert.equal(err.details.requested, to, label);
                  return true;
                },
              );
              assert.equal((await getEdition(store, editionId))?.status, from, label);
              assert.deepEqual(await listTransitions(store, editionId), [], label);
            }
          }
        }
      }
    } finally {
      await store.dispose();
    }
  });

  test(`${backend.name}: refusals say what was asked, in which state, and why`, async () => {
    const store = await backend.open();
    try {
      const { id: publicationId } = await upsertPublication(store, publication(), { actor: 'cli' });
      const { editionId } = await saveEdition(store, { publicationId, date: '2026-03-02', source: 'x', author: 'a' });
      await assert.rejects(transitionEdition(store, editionId, 'approved', EDITOR), {
        code: 'wrong-state',
        message: `edition ${editionId} is draft: it can move to approved only from ready or scheduled`,
      });
      await transitionEdition(store, editionId, 'ready', AUTHOR);
      await assert.rejects(transitionEdition(store, editionId, 'approved', AUTHOR), {
        code: 'role-not-allowed',
        message: 'jeanne@example.org is an author: moving an edition from ready to approved takes an editor or an admin',
      });
      await assert.rejects(transitionEdition(store, 999_999, 'ready', AUTHOR), { code: 'edition-not-found' });
      // Delivery states: refused to any person, in any state, with the way to get there.
      await transitionEdition(store, editionId, 'approved', EDITOR);
      for (const to of ['scheduled', 'sending', 'sent'] as const) {
        await assert.rejects(transitionEdition(store, editionId, to, ADMIN), {
          code: 'role-not-allowed',
          message:
            `edition ${editionId} cannot be moved to ${to} by hand: only the delivery moves an edition to scheduled, sending or sent, ` +
            `when a send is scheduled or started (\`matinale send ${editionId} --at TIME\` or \`--now\`)`,
        });
      }
      assert.equal((await getEdition(store, editionId))?.status, 'approved');
      // The delivery's own moves still go through.
      await transitionEdition(store, editionId, 'scheduled', SYSTEM);
      await transitionEdition(store, editionId, 'sending', SYSTEM);
      await transitionEdition(store, editionId, 'sent', SYSTEM);
      assert.equal((await getEdition(store, editionId))?.status, 'sent');
    } finally {
      await store.dispose();
    }
  });

  test(`${backend.name}: concurrent approvals of the same edition: exactly one wins`, async () => {
    const store = await backend.open();
    // PostgreSQL: two pools, two separate sessions racing. SQLite: one process holds one
    // connection; concurrency across processes is proven by test/cli/edition.test.ts.
    const other = backend.name === 'postgres' ? openStore(store.options) : store;
    try {
      const { id: publicationId } = await upsertPublication(store, publication(), { actor: 'cli' });
      for (let round = 1; round <= 5; round++) {
        const { editionId } = await saveEdition(store, { publicationId, date: `2026-03-0${round}`, source: 'x', author: 'a' });
        await transitionEdition(store, editionId, 'ready', AUTHOR);
        const outcomes = await Promise.allSettled(
          Array.from({ length: 6 }, (_, i) => transitionEdition(i % 2 ? other : store, editionId, 'approved', i % 3 ? EDITOR : ADMIN)),
        );
        const won = outcomes.filter((o) => o.status === 'fulfilled');
        assert.equal(won.length, 1, `round ${round}: one approval wins`);
        for (const o of outcomes) {
          if (o.status === 'rejected') {
            assert.ok(o.reason instanceof WorkflowError);
            assert.equal(o.reason.code, 'wrong-state');
            assert.equal(o.reason.details.current, 'approved');
          }
        }
        const history = (await listTransitions(store, editionId)).filter((t) => t.to === 'approved');
        assert.equal(history.length, 1, `round ${round}: one approval recorded`);
      }
    } finally {
      if (other !== store) await other.close();
      await store.dispose();
    }
  });
}

test('every edition state is reachable and every refusal code is documented', async () => {
  const { TRANSITIONS, WORKFLOW_ERROR_CODES } = await import('../../src/edition/workflow.ts');
  const reachable = new Set<EditionStatus>(['draft', ...TRANSITIONS.map((t) => t.to)]);
  assert.deepEqual([...reachable].sort(), [...EDITION_STATUSES].sort());
  for (const [code, text] of Object.entries(WORKFLOW_ERROR_CODES)) assert.ok(text.length > 0, code);
});
