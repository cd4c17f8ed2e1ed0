// A person's data out, and erased, on every backend.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { testBackends } from '../helpers/store.ts';
import { audienceFixture, linkIn, tokenOf } from './audience-fixture.ts';
import { subscribe } from '../../src/audience/subscribe.ts';
import { confirmSubscription } from '../../src/audience/confirm.ts';
import { eraseSubscriber, exportSubscriber } from '../../src/audience/data-rights.ts';
import { isSuppressed } from '../../src/audience/suppression.ts';
import { unsubscribeByToken } from '../../src/audience/unsubscribe.ts';

// The outbox's copies are cleared by their own test (test/delivery/outbox-erasure.test.ts).
const NO_COPIES = { forget: async () => 0 };

for (const backend of await testBackends()) {
  test(`${backend.name}: export gives everything held on a subscriber; erasure keeps only the keyed hash in the suppression lists`, async () => {
    const f = await audienceFixture(backend);
    try {
      await subscribe(f.deps, { publicationSlug: 'tech-matin', email: 'Ann@Example.org', name: 'Ann', ip: '198.51.100.7' });
      const confirm = tokenOf(linkIn(f.mailer.lastTo('Ann@example.org'), '/confirm/'));
      await confirmSubscription(f.deps, confirm, { ip: '198.51.100.7' });
      const unsubscribe = tokenOf(linkIn(f.mailer.lastTo('Ann@example.org'), '/unsubscribe/'));

      const data = await exportSubscriber(f.deps, 'ann@example.org');
      assert.ok(data);
      assert.equal(data.email, 'Ann@example.org');
      assert.equal(data.name, 'Ann');
      assert.deepEqual(data.subscriptions.map((s) => [s.publication, s.status, s.source]), [['tech-matin', 'active', 'form']]);
      assert.deepEqual(data.consentLog.map((l) => l.action), ['subscribe-request', 'confirm']);
      assert.equal(await exportSubscriber(f.deps, 'nobody@example.org'), undefined);

      assert.equal(await eraseSubscriber(f.deps, 'ANN@example.org', NO_COPIES), true);
      assert.equal(await eraseSubscriber(f.deps, 'ann@example.org', NO_COPIES), false);
      const rows = await f.store.db.selectFrom('subscribers').selectAll().execute();
      assert.equal(rows.length, 1);
      assert.equal(rows[0]!.email, null);
      assert.equal(rows[0]!.name, null);
      assert.ok(rows[0]!.erased_at);
      const everything = JSON.stringify({
        subscribers: rows,
        log: await f.store.db.selectFrom('consent_log').selectAll().execute(),
        subscriptions: await f.store.db.selectFrom('subscriptions').selectAll().execute(),
      });
      assert.doesNotMatch(everything, /ann|Ann/);
      assert.doesNotMatch(everything, /198\.51/);
      const hash = f.deps.keys.addressHash('ann@example.org');
      assert.doesNotMatch(everything, new RegExp(hash.replace(/[-]/g, '\\-')));
      const log = await f.store.db.selectFrom('consent_log').select(['action', 'ip_hash']).orderBy('id').execute();
      assert.deepEqual(log.map((l) => l.action), ['subscribe-request', 'confirm', 'erase']);
      assert.ok(log.every((l) => l.ip_hash === null));
      // Suppressed in every publication, so that no import brings the person back.
      assert.equal(await isSuppressed(f.deps, f.ids.tech, 'ann@example.org'), true);
      assert.equal(await isSuppressed(f.deps, f.ids.policy, 'ann@example.org'), true);
      assert.equal(await exportSubscriber(f.deps, 'ann@example.org'), undefined);
      // An old unsubscribe link still answers, without error.
      assert.equal((await unsubscribeByToken(f.deps, unsubscribe, { method: 'one-click' })).status, 'already-unsubscribed');
      // Subscribing again themselves is possible: a new person, and confirmation lifts the suppression.
      await subscribe(f.deps, { publicationSlug: 'tech-matin', email: 'ann@example.org' });
      await confirmSubscription(f.deps, tokenOf(linkIn(f.mailer.lastTo('ann@example.org'), '/confirm/')));
      assert.equal(await isSuppressed(f.deps, f.ids.tech, 'ann@example.org'), false);
      assert.equal(await isSuppressed(f.deps, f.ids.policy, 'ann@example.org'), true);
    } finally {
      await f.close();
    }
  });
}
