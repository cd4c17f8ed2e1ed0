// The JSON of one send's page (delivery/send-report.ts) on both backends:
// counts, the relay's answers grouped by code with their texts, the readers'
// reactions put down to the send, the rate over time; and the newsroom's
// controls (pause, resume, cancel, unschedule) with the states they need.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../../src/clock.ts';
import { AudienceKeys } from '../../src/audience/keys.ts';
import { suppress } from '../../src/audience/suppression.ts';
import { endAndSuppress } from '../../src/audience/transitions.ts';
import { requestSend } from '../../src/delivery/sends.ts';
import { sendReport, slotSecondsFor } from '../../src/delivery/send-report.ts';
import { controlSend, SendControlRefused, unscheduleEdition } from '../../src/delivery/send-controls.ts';
import { listSendFacts } from '../../src/delivery/send-confirmation.ts';
import { goesOutAt } from '../../src/delivery/send-time.ts';
import { getEdition } from '../../src/store/editions.ts';
import { findSubscriberByHash } from '../../src/store/subscribers.ts';
import { listSendsOf } from '../../src/store/send-controls.ts';
import { getSend, sendRecipients } from '../../src/store/sends.ts';
import { inTransaction } from '../../src/store/transaction.ts';
import { addAccount } from '../../src/web/auth/accounts.ts';
import type { Store } from '../../src/store/db.ts';
import { testBackends } from '../helpers/store.ts';
import { SECRET, seedNewsroom } from './newsroom-fixture.ts';

const START = Date.parse('2026-03-02T04:00:00Z');
const EDITOR = 'lucie.fabre@example.org';

/** Sets the result of recipients (by their order in the send) as a worker would record it. */
async function result(store: Store, ids: number[], state: 'sent' | 'failed' | 'bounced' | 'pending', code: number, response: string, at: number) {
  await store.db.updateTable('recipients').set({ state, relay_code: code, relay_response: response, updated_at: at }).where('id', 'in', ids).execute();
}

async function reactionOf(store: Store, keys: AudienceKeys, publicationId: number, email: string, how: 'one-click' | 'admin', at: number) {
  await inTransaction(store, async (tx) => {
    const subscriber = await findSubscriberByHash(tx, keys.addressHash(email));
    await endAndSuppress(tx, subscriber, keys.addressHash(email), publicationId, 'unsubscribe', 'unsubscribe', { method: how, at });
  });
}

for (const backend of await testBackends()) {
  test(`${backend.name}: the report of a send: counts, answers per code, readers' reactions, rate over time`, async () => {
    const store = await backend.open();
    try {
      const n = await seedNewsroom(store, 20);
      const clock = new FakeClock(START);
      const keys = new AudienceKeys(SECRET);
      const deps = { store, clock, publicUrl: 'https://news.test', mailDomain: 'news.test' };

      // What the confirmation shows: the list as it stands (20 less 2 who left, less 1 suppressed).
      const facts = (await listSendFacts(store, n.editionId, clock.now()))!;
      assert.equal(facts.recipients, 17);
      assert.equal(facts.editionDate, '2026-03-02');
      assert.equal(facts.today, '2026-03-02'); // 05:00 in Paris
      assert.equal(facts.daysFromToday, 0);
      assert.ok(facts.subject && facts.subject.length > 0);
      assert.equal((await listSendFacts(store, n.editionId, Date.parse('2026-03-03T12:00:00Z')))!.daysFromToday, -1);

      // An unsubscribe before the send is none of its doing.
      await reactionOf(store, keys, n.publicationId, n.active[16]!, 'one-click', START - 60_000);
      const send = await requestSend(deps, { editionId: n.editionId, createdBy: EDITOR });
      assert.equal(send.status, 'running');
      const rows = (await sendRecipients(store, send.id)).map((r) => r.id);
      assert.equal(rows.length, 16);
      await result(store, rows.slice(0, 5), 'sent', 250, '250 2.0.0 Ok: queued', START + 500);
      await result(store, rows.slice(5, 7), 'sent', 250, '250 2.0.0 Ok: queued', START + 2_500);
      await result(store, rows.slice(7, 10), 'failed', 550, '550 5.7.1 Message rejected as spam', START + 2_600);
      await result(store, rows.slice(10, 11), 'bounced', 550, '550 5.1.1 User unknown', START + 2_700);
      await result(store, rows.slice(11, 13), 'pending', 421, '421 4.7.0 Try again later', START + 2_800);
      const [first, second, third] = [n.active[0]!, n.active[1]!, n.active[2]!];
      await reactionOf(store, keys, n.publicationId, first, 'one-click', START + 3_000);
      await reactionOf(store, keys, n.publicationId, second, 'admin', START + 3_000); // the newsroom's doing, not the reader's
      await suppress({ store, keys, clock }, n.publicationId, third, 'complaint', { send: send.id, via: 'feedback-loop' });
      clock.advance(4_000);

      const report = JSON.parse(JSON.stringify(await sendReport(store, send.id, clock.now())));
      assert.equal(report.progress.total, 16);
      assert.deepEqual(report.progress.counts, { pending: 5, sending: 0, sent: 7, bounced: 1, failed: 3, suppressed: 0 });
      assert.equal(report.createdBy, EDITOR);
      assert.deepEqual(report.controls, ['pause', 'cancel']);
      assert.deepEqual(report.answers, [
        { code: 250, count: 7, texts: [{ text: '250 2.0.0 Ok: queued', count: 7 }] },
        { code: 550, count: 4, texts: [{ text: '550 5.7.1 Message rejected as spam', count: 3 }, { text: '550 5.1.1 User unknown', count: 1 }] },
        { code: 421, count: 2, texts: [{ text: '421 4.7.0 Try again later', count: 2 }] },
      ]);
      assert.deepEqual(report.aftermath, { bounces: 1, unsubscribes: 1, complaints: 1 });
      assert.equal(report.rate.slotSeconds, 1);
      assert.deepEqual(report.rate.points, [[0, 5], [1, 0], [2, 6], [3, 0], [4, 0]]);

      // Pause, then resume; a second pause of a paused send is refused.
      assert.equal((await controlSend({ store, clock }, send.id, 'pause', EDITOR)).status, 'paused');
      assert.deepEqual((await sendReport(store, send.id, clock.now()))!.controls, ['resume', 'cancel']);
      await assert.rejects(controlSend({ store, clock }, send.id, 'pause', EDITOR), (e) => e instanceof SendControlRefused && e.code === 'wrong-state');
      assert.equal((await controlSend({ store, clock }, send.id, 'resume', EDITOR)).status, 'running');

      // Cancel: the waiting rows fail (resendable), the edition has gone out to some: sent.
      assert.equal((await controlSend({ store, clock }, send.id, 'cancel', EDITOR)).status, 'cancelled');
      const after = (await sendReport(store, send.id, clock.now()))!;
      assert.deepEqual(after.progress.counts, { pending: 0, sending: 0, sent: 7, bounced: 1, failed: 8, suppressed: 0 });
      assert.deepEqual(after.answers.find((a) => a.code === null), { code: null, count: 5, texts: [{ text: 'not sent: the send was cancelled', count: 5 }] });
      assert.deepEqual(after.controls, []);
      assert.equal((await getEdition(store, n.editionId))?.status, 'sent');
      assert.equal(slotSecondsFor(3_600_000), 60);
    } finally {
      await store.dispose();
    }
  });

  test(`${backend.name}: an approved edition goes out at the schedule on its date; scheduled and unscheduled by an editor`, async () => {
    const store = await backend.open();
    try {
      const n = await seedNewsroom(store, 3, { date: '2026-03-03' });
      await addAccount(store, { email: EDITOR, password: 'editor-password-1', role: 'editor', publicationSlugs: ['tech-matin'] }, { now: () => START });
      const clock = new FakeClock(START);
      const deps = { store, clock, publicUrl: 'https://news.test', mailDomain: 'news.test' };
      const publication = { schedule: '0 6 * * 1-5', timezone: 'Europe/Paris' };
      const edition = async () => (await getEdition(store, n.editionId))!;
      const listSend = async () => (await listSendsOf(store, [n.editionId])).get(n.editionId);

      // Approved, no send: the scheduler takes it at 06:00 Paris on its date.
      assert.equal(goesOutAt(await edition(), publication, await listSend(), clock.now()), Date.parse('2026-03-03T05:00:00Z'));
      await unscheduleEdition({ store, clock }, n.editionId, EDITOR);
      assert.equal((await listSend())?.status, 'cancelled');
      assert.equal(goesOutAt(await edition(), publication, await listSend(), clock.now()), undefined);
      await assert.rejects(unscheduleEdition({ store, clock }, n.editionId, EDITOR), (e) => e instanceof SendControlRefused && e.code === 'nothing-scheduled');

      // Scheduled at a picked time (the cancelled send is taken up again), then unscheduled: back to approved.
      const at = Date.parse('2026-03-03T06:30:00Z');
      const send = await requestSend(deps, { editionId: n.editionId, at, createdBy: EDITOR });
      assert.equal(send.status, 'scheduled');
      assert.equal((await edition()).status, 'scheduled');
      assert.equal(goesOutAt(await edition(), publication, await listSend(), clock.now()), at);
      await unscheduleEdition({ store, clock }, n.editionId, EDITOR);
      assert.equal((await getSend(store, send.id))?.status, 'cancelled');
      assert.match((await getSend(store, send.id))?.status_reason ?? '', /unscheduled by lucie\.fabre@example\.org/);
      assert.equal((await edition()).status, 'approved');
      assert.equal(goesOutAt(await edition(), publication, await listSend(), clock.now()), undefined);
    } finally {
      await store.dispose();
    }
  });
}
