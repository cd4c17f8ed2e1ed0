// No subscription without its subscriber or its publication, on every backend.
// On PostgreSQL `subscriptions` has no foreign key since migration 0012 (the
// speed of imports): the code gives the guarantee the keys gave, and these
// tests check it after every path that creates, deletes or changes
// subscribers and subscriptions, and when a purge races a new subscription.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { fixtureTest, testBackends } from '../helpers/store.ts';
import { audienceFixture, type AudienceFixture } from './audience-fixture.ts';
import { subscribe } from '../../src/audience/subscribe.ts';
import { addByHand } from '../../src/audience/by-hand.ts';
import { importSubscribers } from '../../src/audience/import.ts';
import { purgeUnconfirmed } from '../../src/audience/purge.ts';
import { eraseSubscriber } from '../../src/audience/data-rights.ts';
import { ensureSubscriber, deleteSubscribersWithoutSubscriptions } from '../../src/store/subscribers.ts';
import { createSubscription } from '../../src/store/subscriptions.ts';
import { inTransaction } from '../../src/store/transaction.ts';
import type { Store } from '../../src/store/db.ts';

const DAY = 24 * 3600 * 1000;
const dir = mkdtempSync(join(tmpdir(), 'matinale-integrity-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));

/** Subscriptions whose subscriber or publication does not exist. */
async function orphans(f: AudienceFixture): Promise<number> {
  const { rows } = await sql<{ n: number | string }>`select count(*) as n from subscriptions s
    where not exists (select 1 from subscribers b where b.id = s.subscriber_id)
       or not exists (select 1 from publications p where p.id = s.publication_id)`.execute(f.store.db);
  return Number(rows[0]!.n);
}

async function foreignKeysOfSubscriptions(f: AudienceFixture): Promise<number> {
  const { rows } = await sql<{ n: number | string }>`select count(*) as n from pg_constraint
    where conrelid = 'subscriptions'::regclass and contype = 'f'`.execute(f.store.db);
  return Number(rows[0]!.n);
}

for (const backend of await testBackends()) {
  const it = fixtureTest(backend.name, () => audienceFixture(backend));

  it('every path that creates, ends or deletes subscriptions and subscribers leaves none without its subscriber', async (f) => {
    if (f.store.capabilities.supportsCopy) assert.equal(await foreignKeysOfSubscriptions(f), 0, 'the guarantee is the code\'s, not a key\'s');
    const counted = async (step: string) => assert.equal(await orphans(f), 0, step);

    await subscribe(f.deps, { publicationSlug: 'tech-matin', email: 'form@example.org' });
    await subscribe(f.deps, { publicationSlug: 'policy-morning', email: 'form@example.org' });
    await counted('sign-up form');
    await addByHand(f.deps, { publicationId: f.ids.tech, email: 'hand@example.org', consentSource: 'paper form', by: 'ed@example.org' });
    await counted('by hand');
    // An import that meets known readers (one with no subscription at all) and new ones.
    await ensureSubscriber(f.store, { email: 'known@example.org', emailHash: f.deps.keys.addressHash('known@example.org'), name: null, at: f.clock.now() });
    const file = join(dir, 'list.csv');
    writeFileSync(file, 'email\nknown@example.org\nform@example.org\nnew@example.org\n');
    const summary = await importSubscribers(f.deps, { file, publicationSlug: 'policy-morning' });
    assert.deepEqual([summary.imported, summary.unchanged], [2, 1]);
    await counted('import');
    // Nobody confirmed: the purge deletes the pending subscriptions and the subscribers left with none.
    f.clock.advance(30 * DAY);
    const purged = await purgeUnconfirmed(f.deps);
    assert.ok(purged.subscribers >= 3, JSON.stringify(purged));
    await counted('purge');
    await eraseSubscriber(f.deps, 'hand@example.org', { forget: async () => 0 });
    await counted('erasure');
    const left = await f.store.db.selectFrom('subscriptions').select('id').execute();
    assert.equal(left.length, 0, 'the erased reader\'s subscription went with the erasure');
  });

  it('a purge racing a new subscription of the subscriber it deletes never leaves the subscription behind', async (f) => {
    if (!f.store.capabilities.supportsConcurrentWriters) return; // SQLite: one writer at a time, and its foreign key.
    for (const purgeFirst of [false, true]) {
      const email = `race-${purgeFirst}@example.org`;
      const s = await ensureSubscriber(f.store, { email, emailHash: f.deps.keys.addressHash(email), name: null, at: f.clock.now() });
      let release!: () => void;
      const held = new Promise<void>((r) => (release = r));
      let started!: (pid: number) => void;
      const first = new Promise<number>((r) => (started = r));
      const pidOf = async (tx: Store) => Number((await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(tx.db)).rows[0]!.pid);
      const subscribeTx = () =>
        inTransaction(f.store, async (tx) => {
          await createSubscription(tx, { subscriberId: s.id, publicationId: f.ids.tech, status: 'active', source: 'admin', at: f.clock.now() });
          if (!purgeFirst) {
            started(await pidOf(tx));
            await held;
          }
        });
      const purgeTx = () =>
        inTransaction(f.store, async (tx) => {
          const n = await deleteSubscribersWithoutSubscriptions(tx, [s.id]);
          if (purgeFirst) {
            started(await pidOf(tx));
            await held;
          }
          return n;
        });
      // The first transaction holds its rows; the second runs until it waits for them; then the first commits.
      const a = purgeFirst ? purgeTx() : subscribeTx();
      const holder = await first;
      const b = (purgeFirst ? subscribeTx() : purgeTx()).then(
        () => 'done',
        (e: Error) => e.message,
      );
      const waited = await waitedFor(f, holder);
      release();
      await a;
      const second = await b;
      assert.ok(waited, 'the second transaction waits for the first (it locks the subscriber, or deletes it)');
      assert.equal(await orphans(f), 0, `purge first: ${purgeFirst}`);
      // Either way the subscriber is gone: the subscription went with it, or was refused.
      assert.equal(await f.store.db.selectFrom('subscribers').select('id').where('id', '=', s.id).executeTakeFirst(), undefined);
      if (purgeFirst) assert.match(second, /deleted/);
    }
  });
}

/** Waits until a session waits for the one holding the rows (the race's second transaction); false after 5 s. */
async function waitedFor(f: AudienceFixture, holder: number): Promise<boolean> {
  for (let i = 0; i < 200; i++) {
    const { rows } = await sql<{ n: number | string }>`select count(*) as n from pg_stat_activity
      where ${holder} = any(pg_blocking_pids(pid))`.execute(f.store.db);
    if (Number(rows[0]!.n) > 0) return true;
    await new Promise((r) => setTimeout(r, 25));
  }
  return false;
}
