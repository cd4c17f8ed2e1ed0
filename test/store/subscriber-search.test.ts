// The newsroom's list of subscribers on every backend: keyset pages walk the
// whole list newest first and back without a row lost or shown twice; search
// by a part of the address or the name (any case, `%` and `_` taken
// literally), by a whole address's hash, and the status filter; erased
// subscribers never appear; pages past the first are found by id, not OFFSET.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { testBackends } from '../helpers/store.ts';
import { publication } from '../helpers/newsroom.ts';
import { FakeClock } from '../../src/clock.ts';
import { upsertPublication } from '../../src/store/publications.ts';
import { importBatch, eraseSubscriberRow, findSubscriberByHash } from '../../src/store/subscribers.ts';
import { endSubscription } from '../../src/store/subscriptions.ts';
import { subscriberListPage, type SubscriberListQuery } from '../../src/store/subscriber-search.ts';
import { inTransaction } from '../../src/store/transaction.ts';

const N = 1234;
const emailOf = (i: number) => `reader${String(i).padStart(4, '0')}@example.org`;

for (const backend of await testBackends()) {
  test(`${backend.name}: keyset pages of a publication's subscribers, with search and status filter`, async () => {
    const store = await backend.open();
    try {
      const clock = new FakeClock(Date.parse('2026-03-02T05:00:00Z'));
      const tech = await upsertPublication(store, publication(), { actor: 'test', clock });
      const other = await upsertPublication(store, publication({ slug: 'policy-morning', name: 'Policy Morning' }), { actor: 'test', clock });
      const rows = Array.from({ length: N }, (_, i) => ({
        email: i === 7 ? 'Odd_Name%@Example.org' : emailOf(i),
        emailHash: `h${i}`,
        name: i % 100 === 0 ? `Zoé Lambert ${i}` : null,
        createdAt: clock.now(),
        consentSource: null,
      }));
      await inTransaction(store, (tx) => importBatch(tx, rows, { publicationId: tech.id, status: 'active', runAt: clock.now(), method: 'import' }));
      await inTransaction(store, (tx) => importBatch(tx, rows.slice(0, 10), { publicationId: other.id, status: 'active', runAt: clock.now(), method: 'import' }));
      const ids = new Map<string, number>();
      for (const r of rows) ids.set(r.emailHash, (await findSubscriberByHash(store, r.emailHash))!.id);
      for (const i of [3, 5, 8]) await endSubscription(store, ids.get(`h${i}`)!, tech.id, clock.now());
      await eraseSubscriberRow(store, ids.get('h2')!, clock.now());

      // Forwards, 100 at a time: every subscriber of the publication once, newest first; then backwards again.
      const base: SubscriberListQuery = { publicationId: tech.id, limit: 100 };
      const seen: number[] = [];
      const pages: Array<{ first: number; last: number }> = [];
      let page = await subscriberListPage(store, base);
      assert.equal(page.hasNewer, false);
      for (;;) {
        seen.push(...page.rows.map((r) => r.subscriptionId));
        pages.push({ first: page.rows[0]!.subscriptionId, last: page.rows.at(-1)!.subscriptionId });
        if (!page.hasOlder) break;
        page = await subscriberListPage(store, { ...base, older: page.rows.at(-1)!.subscriptionId });
      }
      assert.equal(seen.length, N - 1, 'the erased subscriber is left out');
      assert.equal(new Set(seen).size, seen.length);
      assert.deepEqual(seen, [...seen].sort((a, b) => b - a));
      assert.equal(pages.length, Math.ceil((N - 1) / 100));
      // The previous page of the last one is the one before it.
      const back = await subscriberListPage(store, { ...base, newer: pages.at(-1)!.first });
      assert.deepEqual([back.rows[0]!.subscriptionId, back.rows.at(-1)!.subscriptionId], [pages.at(-2)!.first, pages.at(-2)!.last]);
      assert.equal(back.hasOlder, true);
      assert.equal(back.hasNewer, true);
      const firstAgain = await subscriberListPage(store, { ...base, newer: pages[1]!.first });
      assert.equal(firstAgain.hasNewer, false);
      assert.equal(firstAgain.rows[0]!.subscriptionId, pages[0]!.first);

      // Search: part of the address, any case; part of the name, accents and all.
      const byAddress = await subscriberListPage(store, { ...base, text: 'READER012' });
      assert.deepEqual(byAddress.rows.map((r) => r.email).sort(), Array.from({ length: 10 }, (_, i) => emailOf(120 + i)));
      const byName = await subscriberListPage(store, { ...base, text: 'zoé lambert 1' });
      assert.deepEqual(byName.rows.map((r) => r.name), ['Zoé Lambert 1200', 'Zoé Lambert 1100', 'Zoé Lambert 1000', 'Zoé Lambert 100']);
      // % and _ are letters here, not wildcards.
      assert.deepEqual((await subscriberListPage(store, { ...base, text: '_name%' })).rows.map((r) => r.email), ['Odd_Name%@Example.org']);
      assert.equal((await subscriberListPage(store, { ...base, text: 'reader_0' })).rows.length, 0);
      // Search pages too.
      const firstHalf = await subscriberListPage(store, { ...base, text: 'reader01', limit: 60 });
      const rest = await subscriberListPage(store, { ...base, text: 'reader01', limit: 60, older: firstHalf.rows.at(-1)!.subscriptionId });
      assert.equal(firstHalf.rows.length + rest.rows.length, 100);
      assert.equal(rest.hasOlder, false);

      // A whole address by its hash; the status filter; another publication's list.
      assert.deepEqual((await subscriberListPage(store, { ...base, emailHash: 'h42' })).rows.map((r) => r.email), [emailOf(42)]);
      assert.deepEqual((await subscriberListPage(store, { ...base, status: 'unsubscribed' })).rows.map((r) => r.email), [emailOf(8), emailOf(5), emailOf(3)]);
      assert.equal((await subscriberListPage(store, { ...base, status: 'pending' })).rows.length, 0);
      assert.equal((await subscriberListPage(store, { publicationId: other.id, limit: 100 })).rows.length, 9);
    } finally {
      await store.dispose();
    }
  });
}
