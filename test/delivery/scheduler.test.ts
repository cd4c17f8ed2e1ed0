import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../../src/clock.ts';
import { dateIn } from '../../src/clock.ts';
import { latestOccurrence, schedulerTick } from '../../src/delivery/scheduler.ts';
import { deliveryParts, startWorker } from '../../src/delivery/worker.ts';
import { requestSend } from '../../src/delivery/sends.ts';
import { getSend } from '../../src/store/sends.ts';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { outboxTransport } from '../../src/delivery/outbox.ts';
import { schedulerLock } from '../../src/store/scheduler-lock.ts';
import { testBackends } from '../helpers/store.ts';
import { openStore } from '../../src/store/db.ts';
import { seedNewsroom, testConfig } from './newsroom-fixture.ts';

const HOUR = 3_600_000;

test('06:00 in Europe/Paris stays 06:00 across both daylight-saving changes', () => {
  const at = (iso: string) => latestOccurrence('0 6 * * 1-5', 'Europe/Paris', Date.parse(iso), 30 * HOUR);
  // Friday before the last Sunday of March: CET (UTC+1); Monday after: CEST (UTC+2).
  assert.equal(at('2026-03-27T05:00:00Z'), Date.parse('2026-03-27T05:00:00Z'));
  assert.equal(at('2026-03-30T04:00:00Z'), Date.parse('2026-03-30T04:00:00Z'));
  assert.equal(at('2026-03-30T03:59:59Z'), undefined, 'Sunday and Saturday have no edition; Friday is beyond the lookback');
  // Around the last Sunday of October: back to CET.
  assert.equal(at('2026-10-23T04:00:00Z'), Date.parse('2026-10-23T04:00:00Z'));
  assert.equal(at('2026-10-26T05:00:00Z'), Date.parse('2026-10-26T05:00:00Z'));
  assert.equal(dateIn(Date.parse('2026-03-29T23:30:00Z'), 'Europe/Paris'), '2026-03-30');
});

for (const backend of await testBackends()) {
  for (const [date, before, at] of [
    ['2026-03-30', '2026-03-30T03:59:00Z', '2026-03-30T04:00:00Z'],
    ['2026-10-26', '2026-10-26T04:59:00Z', '2026-10-26T05:00:00Z'],
  ] as const) {
    test(`${backend.name}: the edition of ${date} starts at 06:00 Paris time (${at}), once`, async () => {
      const store = await backend.open();
      try {
        const clock = new FakeClock(Date.parse(before));
        const newsroom = await seedNewsroom(store, 5, { date });
        const parts = deliveryParts({ store, config: testConfig(), clock, transport: outboxTransport('/nonexistent', clock), logger: undefined });
        assert.deepEqual(await schedulerTick(parts.sendDeps, HOUR), { started: [], missed: [] });
        clock.set(at);
        const first = await schedulerTick(parts.sendDeps, HOUR);
        assert.equal(first.started.length, 1);
        clock.advance(60_000);
        assert.deepEqual(await schedulerTick(parts.sendDeps, HOUR), { started: [], missed: [] }, 'once');
        const sends = await store.db.selectFrom('sends').selectAll().execute();
        assert.equal(sends.length, 1);
        assert.equal(sends[0]!.status, 'running');
        assert.equal(sends[0]!.started_at, Date.parse(at));
        const rows = await store.db.selectFrom('recipients').select('email').where('send_id', '=', sends[0]!.id).execute();
        assert.equal(rows.length, newsroom.active.length);
      } finally {
        await store.dispose();
      }
    });
  }

  test(`${backend.name}: a process down at 06:00 sends on recovery within the grace period, else records the edition as missed`, async () => {
    const store = await backend.open();
    try {
      const clock = new FakeClock(Date.parse('2026-03-30T04:40:00Z'));
      const late = await seedNewsroom(store, 3, { date: '2026-03-30' });
      const parts = deliveryParts({ store, config: testConfig(), clock, transport: outboxTransport('/nonexistent', clock), logger: undefined });
      const recovered = await schedulerTick(parts.sendDeps, HOUR);
      assert.equal(recovered.started.length, 1, 'within the grace period: sent on recovery');

      // The next morning the process comes back at 08:00 Paris time, two hours late.
      const next = await store.db
        .insertInto('editions')
        .values({ publication_id: late.publicationId, date: '2026-03-31', status: 'approved', current_version: 1, subject: null, created_at: 0, updated_at: 0 })
        .returning('id')
        .executeTakeFirstOrThrow();
      clock.set('2026-03-31T06:00:00Z');
      const missed = await schedulerTick(parts.sendDeps, HOUR);
      assert.deepEqual(missed.started, []);
      assert.equal(missed.missed.length, 1);
      const send = await store.db.selectFrom('sends').selectAll().where('edition_id', '=', next.id).executeTakeFirstOrThrow();
      assert.equal(send.status, 'missed');
      assert.match(send.status_reason!, /missed: scheduled for 2026-03-31T04:00:00.000Z/);
      clock.advance(HOUR);
      assert.deepEqual(await schedulerTick(parts.sendDeps, HOUR), { started: [], missed: [] }, 'recorded once');
    } finally {
      await store.dispose();
    }
  });

  if (backend.name === 'postgres') {
    test('postgres: one scheduler at a time (advisory lock); another takes over when it lets go', async () => {
      const store = await backend.open();
      const other = openStore(store.options);
      try {
        const a = schedulerLock(store);
        const b = schedulerLock(other);
        assert.equal(await a.tryAcquire(), true);
        assert.equal(await a.tryAcquire(), true, 'the holder keeps it');
        assert.equal(await b.tryAcquire(), false);
        await a.release();
        assert.equal(await b.tryAcquire(), true, 'any process takes over');
        await b.release();
      } finally {
        await other.close();
        await store.dispose();
      }
    });
  }
}

for (const backend of await testBackends()) {
  test(`${backend.name}: the scheduler loop purges subscriptions never confirmed, at start and then hourly`, { timeout: 120_000 }, async () => {
    const store = await backend.open();
    const dir = mkdtempSync(join(tmpdir(), 'matinale-purge-'));
    const t0 = Date.parse('2026-03-20T12:00:00Z');
    const clock = new FakeClock(t0);
    // A subscription typed 15 days ago and never confirmed (the delay is 14 days).
    const stale = async (email: string) => {
      const s = await store.db
        .insertInto('subscribers')
        .values({ email, email_hash: `hash-${email}`, name: null, created_at: t0 - 15 * 24 * HOUR, updated_at: t0 - 15 * 24 * HOUR, erased_at: null })
        .returning('id')
        .executeTakeFirstOrThrow();
      const sub = await store.db
        .insertInto('subscriptions')
        .values({ subscriber_id: s.id, publication_id: newsroom.publicationId, status: 'pending', source: 'form', created_at: t0 - 15 * 24 * HOUR, confirmed_at: null, unsubscribed_at: null, updated_at: t0 - 15 * 24 * HOUR })
        .returning('id')
        .executeTakeFirstOrThrow();
      return sub.id;
    };
    const exists = async (id: number) => (await store.db.selectFrom('subscriptions').select('id').where('id', '=', id).executeTakeFirst()) !== undefined;
    const until = async (condition: () => Promise<boolean>, what: string) => {
      const end = Date.now() + 60_000;
      while (!(await condition())) {
        if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    };
    const newsroom = await seedNewsroom(store, 3);
    // Before the worker starts: its first purge comes at once, the next only an hour later.
    const first = await stale('early@example.net');
    const running = startWorker({ store, config: testConfig({ dataDir: dir }), clock, pollMs: 20, logger: { info: () => {}, warn: () => {}, error: () => {} } });
    try {
      await until(async () => !(await exists(first)), 'the purge at start');

      // A send due 59 minutes on tells when the scheduler has ticked at that time.
      const parts = deliveryParts({ store, config: testConfig({ dataDir: dir }), clock, transport: outboxTransport(join(dir, 'outbox'), clock), logger: undefined });
      const send = await requestSend(parts.sendDeps, { editionId: newsroom.editionId, at: t0 + 59 * 60_000, createdBy: 't' });
      const second = await stale('later@example.net');
      clock.advance(59 * 60_000);
      await until(async () => (await getSend(store, send.id))!.status !== 'scheduled', 'a scheduler tick 59 minutes on');
      assert.equal(await exists(second), true, 'not purged again within the hour');

      clock.advance(60_000);
      await until(async () => !(await exists(second)), 'the purge an hour after the first');
    } finally {
      await running.stop();
      await store.dispose();
      rmSync(dir, { recursive: true, force: true });
    }
  });
}
