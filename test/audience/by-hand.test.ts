// The newsroom's own changes to a subscription, on every backend: a person
// added by hand is active at once with their consent's source in the log; a
// suppressed address is refused; adding again changes nothing; unsubscribing
// on someone's behalf ends the subscription and suppresses the address; the
// subscriber's record gathers all of it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { testBackends } from '../helpers/store.ts';
import { audienceFixture } from './audience-fixture.ts';
import { addByHand, unsubscribeByHand } from '../../src/audience/by-hand.ts';
import { subscriberRecord } from '../../src/audience/subscriber-record.ts';
import { isSuppressed, suppress } from '../../src/audience/suppression.ts';

for (const backend of await testBackends()) {
  test(`${backend.name}: adding by hand needs a consent source, refuses suppressed addresses, and unsubscribing by hand suppresses`, async () => {
    const f = await audienceFixture(backend);
    try {
      const base = { publicationId: f.ids.tech, by: 'lucie@example.org' };
      assert.deepEqual(await addByHand(f.deps, { ...base, email: 'ann@', consentSource: 'x' }), { status: 'refused', field: 'email', reason: 'invalid domain' });
      assert.equal((await addByHand(f.deps, { ...base, email: 'ann@example.org', consentSource: '  ' })).status, 'refused');

      const added = await addByHand(f.deps, { ...base, email: 'Ann@EXAMPLE.org', name: ' Ann ', consentSource: 'paper form' });
      assert.equal(added.status, 'added');
      const id = (added as { subscriberId: number }).subscriberId;
      assert.deepEqual(await addByHand(f.deps, { ...base, email: 'ann@example.org', consentSource: 'again' }), { status: 'already-active', subscriberId: id });
      assert.equal(f.mailer.sent.length, 0, 'no confirmation mail');

      let record = (await subscriberRecord(f.store, id))!;
      assert.equal(record.email, 'Ann@example.org');
      assert.equal(record.name, 'Ann');
      assert.deepEqual(record.publicationIds, [f.ids.tech]);
      assert.deepEqual(record.subscriptions.map((s) => [s.slug, s.status, s.source]), [['tech-matin', 'active', 'admin']]);
      assert.deepEqual(record.consentLog.map((l) => [l.action, l.method, JSON.parse(l.details ?? '{}').consentSource]), [['subscribe', 'admin', 'paper form']]);

      assert.equal(await unsubscribeByHand(f.deps, id, f.ids.tech, 'lucie@example.org'), true);
      assert.equal(await unsubscribeByHand(f.deps, id, f.ids.tech, 'lucie@example.org'), false, 'nothing left to end');
      assert.equal(await isSuppressed(f.deps, f.ids.tech, 'ann@example.org'), true);
      record = (await subscriberRecord(f.store, id))!;
      assert.equal(record.subscriptions[0]!.status, 'unsubscribed');
      assert.deepEqual(record.suppressions.map((s) => [s.slug, s.reason]), [['tech-matin', 'unsubscribe']]);

      // Suppressed: only the person lifts it, through the form; by hand is refused, in this publication only.
      const again = await addByHand(f.deps, { ...base, email: 'ann@example.org', consentSource: 'she asked by phone' });
      assert.equal(again.status, 'refused');
      assert.match((again as { reason: string }).reason, /suppression list/);
      assert.equal((await addByHand(f.deps, { ...base, publicationId: f.ids.policy, email: 'ann@example.org', consentSource: 'meetup' })).status, 'added');
      await suppress(f.deps, f.ids.policy, 'bob@example.org', 'complaint');
      assert.equal((await addByHand(f.deps, { ...base, publicationId: f.ids.policy, email: 'bob@example.org', consentSource: 'meetup' })).status, 'refused');
    } finally {
      await f.close();
    }
  });
}
