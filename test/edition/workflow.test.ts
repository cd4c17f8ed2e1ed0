// The editorial workflow's decision alone, without a database: the store's
// transitionEdition (test/store/edition-workflow.test.ts) applies the same answer.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkMove, EDITION_STATUSES, TRANSITIONS, type Actor, type ActorRole, type EditionStatus } from '../../src/edition/workflow.ts';

const ann: Actor = { kind: 'person', email: 'Ann@Example.org ' };
const delivery: Actor = { kind: 'system', name: 'delivery' };

function codeOf(from: EditionStatus, to: EditionStatus, actor: Actor, role: ActorRole | undefined): string | undefined {
  return checkMove({ editionId: 7, from, to, actor, role })?.code;
}

test('a move the workflow has, by a role it takes, is allowed', () => {
  assert.equal(codeOf('draft', 'ready', ann, 'author'), undefined);
  assert.equal(codeOf('ready', 'approved', ann, 'editor'), undefined);
  assert.equal(codeOf('approved', 'scheduled', delivery, 'system'), undefined);
  assert.equal(codeOf('sending', 'sent', delivery, 'system'), undefined);
});

test('refusals come in order: a platform state asked by a person, a missing move, an outsider, a role', () => {
  // Scheduled by hand is refused whatever the state and the role: no send would stand behind it.
  const byHand = checkMove({ editionId: 7, from: 'draft', to: 'scheduled', actor: ann, role: 'admin' });
  assert.equal(byHand?.code, 'role-not-allowed');
  assert.match(byHand!.message, /cannot be moved to scheduled by hand/);
  // No such move from this state, said before the actor is looked at.
  const wrong = checkMove({ editionId: 7, from: 'draft', to: 'approved', actor: ann, role: undefined });
  assert.equal(wrong?.code, 'wrong-state');
  assert.match(wrong!.message, /edition 7 is draft: it can move to approved only from ready/);
  assert.equal(wrong!.details.actor, 'ann@example.org');
  assert.equal(codeOf('ready', 'approved', ann, undefined), 'not-a-member');
  const author = checkMove({ editionId: 7, from: 'ready', to: 'approved', actor: ann, role: 'author' });
  assert.equal(author?.code, 'role-not-allowed');
  assert.match(author!.message, /ann@example\.org is an author: moving an edition from ready to approved takes an editor or an admin/);
});

test('every status can be reached from some status, except the one editions start in', () => {
  const reached = new Set(TRANSITIONS.map((t) => t.to));
  assert.deepEqual(
    EDITION_STATUSES.filter((s) => !reached.has(s)),
    [],
    'draft is reached back from ready, approved and scheduled; the rest move forward',
  );
  for (const from of EDITION_STATUSES) assert.equal(codeOf(from, from, delivery, 'system') !== undefined, true, `${from} → ${from} is no move`);
});
