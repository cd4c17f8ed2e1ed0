// The sending routes' refusals and answers, through the app: a time that has
// passed or does not exist, a confirmation that an author's save or the clock
// made stale, the JSON of a send's page, and controls a send's state refuses.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { testBackends } from '../helpers/store.ts';
import { AUTHOR, EDITOR, Visitor, newsroom, sampleSource } from './harness.ts';
import { confirmSend } from './send-confirmation.ts';
import { requestSend } from '../../src/delivery/sends.ts';
import { getEdition } from '../../src/store/editions.ts';
import { getSend } from '../../src/store/sends.ts';

for (const backend of await testBackends()) {
  test(`sending routes on ${backend.name}`, async (t) => {
    const n = await newsroom(backend);
    t.after(() => n.close());
    const editor = new Visitor(n.app);
    await editor.signIn(EDITOR);
    const edition = n.ids.techEdition; // approved, 2026-03-02; the clock is 06:00 in Paris that day

    await t.test('a time that has passed, is not one, or that the clocks skip is refused saying why', async () => {
      const passed = await confirmSend(editor, edition, '2026-03-02T05:59');
      assert.equal(passed.page.statusCode, 400);
      assert.match(passed.page.body, /2026-03-02T05:59 in Europe\/Paris\) has passed/);
      assert.equal(passed.token, undefined);
      const garbage = await confirmSend(editor, edition, 'demain');
      assert.equal(garbage.page.statusCode, 400);
      assert.match(garbage.page.body, /YYYY-MM-DDTHH:MM/);
      const skipped = await confirmSend(editor, edition, '2026-03-29T02:30');
      assert.equal(skipped.page.statusCode, 400);
      assert.match(skipped.page.body, /does not exist in Europe\/Paris/);
    });

    await t.test('the editor shows when an approved edition goes out, in its language and zone', async () => {
      const page = await editor.get(`/newsroom/editions/${edition}`);
      // 06:00 in Paris has just come: the scheduler takes it now, nothing is left to announce.
      assert.doesNotMatch(page.body, /class="goes-out"/);
      n.clock.set('2026-03-02T04:00:00Z');
      const before = await editor.get(`/newsroom/editions/${edition}`);
      assert.match(before.body, /<span class="goes-out" lang="fr"><time datetime="2026-03-02T05:00:00.000Z">part lun\. 2 mars 06:00 Europe\/Paris<\/time><\/span>/);
      assert.match(before.body, /action="\/newsroom\/editions\/\d+\/unschedule"/);
      const author = new Visitor(n.app);
      await author.signIn(AUTHOR);
      const theirs = await author.get(`/newsroom/editions/${edition}`);
      assert.match(theirs.body, /part lun\. 2 mars 06:00/);
      assert.doesNotMatch(theirs.body, /unschedule/, 'an author does not unschedule');
      n.clock.set('2026-03-02T05:00:00Z');
    });

    await t.test('a confirmation goes stale with a new version, or when its time passes', async () => {
      const { token } = await confirmSend(editor, edition, '2026-03-02T06:10');
      assert.ok(token);
      n.clock.advance(11 * 60_000);
      const late = await editor.post(`/newsroom/editions/${edition}/send`, { kind: 'list', confirmation: token });
      assert.equal(late.statusCode, 400);
      assert.match(late.body, /The time confirmed for the send has passed/);
      n.clock.advance(5 * 60_000);
      const old = await editor.post(`/newsroom/editions/${edition}/send`, { kind: 'list', confirmation: token });
      assert.match(old.body, /more than 15 minutes old/);
      n.clock.set('2026-03-02T05:00:00Z');

      const fresh = await confirmSend(editor, edition);
      const source = sampleSource('tech-matin') + '\nOne more line.\n';
      assert.equal((await editor.post(`/newsroom/editions/${edition}/save`, { source, base: '1' })).statusCode, 303);
      const changed = await editor.post(`/newsroom/editions/${edition}/send`, { kind: 'list', confirmation: fresh.token! });
      assert.equal(changed.statusCode, 409);
      assert.match(changed.body, /changed since the confirmation \(version 1 was confirmed, version 2 is the latest\)/);
      assert.equal((await n.store.db.selectFrom('sends').select('id').where('edition_id', '=', edition).execute()).length, 0, 'nothing sent');
      assert.equal((await getEdition(n.store, edition))?.status, 'ready');
    });

    await t.test("a send's JSON, and controls its state refuses", async () => {
      const deps = { store: n.store, clock: n.clock, publicUrl: n.config.publicUrl, mailDomain: 'news.test' };
      const send = await requestSend(deps, { editionId: edition, test: ['reader.s@example.net'], createdBy: EDITOR.email });
      const json = (await editor.api('GET', `/api/sends/${send.id}`)).json();
      assert.equal(json.progress.kind, 'test');
      assert.equal(json.progress.total, 1);
      assert.deepEqual(json.controls, ['pause', 'cancel']);
      assert.deepEqual(json.aftermath, { bounces: 0, unsubscribes: 0, complaints: 0 });
      const page = await editor.get(`/newsroom/sends/${send.id}`);
      assert.match(page.body, /Test send to reader\.s@example\.net/);

      assert.equal((await editor.post(`/newsroom/sends/${send.id}/control`, { action: 'explode' })).statusCode, 400);
      assert.equal((await editor.post(`/newsroom/sends/${send.id}/control`, { action: 'resume' })).statusCode, 409);
      assert.equal((await editor.post(`/newsroom/sends/${send.id}/control`, { action: 'cancel' })).statusCode, 303);
      const cancelled = await editor.post(`/newsroom/sends/${send.id}/control`, { action: 'pause' });
      assert.equal(cancelled.statusCode, 409);
      assert.match(cancelled.body, /is cancelled: only a running send can be paused/);
      assert.equal((await getSend(n.store, send.id))?.status, 'cancelled');
      assert.equal((await editor.api('GET', `/api/sends/${send.id}`)).json().progress.counts.failed, 1);
    });
  });
}
