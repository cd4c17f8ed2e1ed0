// A send's message rendered on the render thread (send-render.ts): the very
// template the event loop renders, stored in the transaction that snapshots
// the recipients; an edition that cannot be rendered fails the send as on the
// loop, writing nothing; a thread that cannot answer leaves the rendering to
// the loop.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../../src/clock.ts';
import { renderSendMessage, type SendMessageInput } from '../../src/delivery/message-render.ts';
import type { MessageTemplate } from '../../src/delivery/message-template.ts';
import { MessageBuildError, sendMessageInput } from '../../src/delivery/send-message.ts';
import { RenderThread } from '../../src/delivery/send-render.ts';
import { requestSend } from '../../src/delivery/sends.ts';
import { deliveryParts } from '../../src/delivery/worker.ts';
import { outboxTransport } from '../../src/delivery/outbox.ts';
import { getSend } from '../../src/store/sends.ts';
import { testBackends } from '../helpers/store.ts';
import { migrateToLatest } from '../../src/store/migrate.ts';
import { cliBackends } from '../helpers/cli-database.ts';
import { tracedRun } from '../helpers/traced-run.ts';
import { SECRET, seedNewsroom, startSmtpSink, testConfig } from './newsroom-fixture.ts';

/** The template with its MIME boundary (random per rendering) named the same. */
function comparable(template: MessageTemplate): string {
  const text = JSON.stringify(template);
  const boundary = /=_matinale_[0-9a-f]{24}/.exec(text)![0];
  return text.replaceAll(boundary, '=_matinale_BOUNDARY');
}

for (const backend of await testBackends()) {
  test(`${backend.name}: a send started with a render thread stores the message the event loop renders, with every recipient`, { timeout: 60_000 }, async () => {
    const store = await backend.open();
    const renderer = RenderThread.start()!;
    try {
      const newsroom = await seedNewsroom(store, 12);
      const clock = new FakeClock(Date.parse('2026-03-02T04:00:00Z'));
      const parts = deliveryParts({ store, config: testConfig(), clock, transport: outboxTransport('/nonexistent', clock) });
      let asked: SendMessageInput | undefined;
      const render = (input: SendMessageInput) => ((asked = input), renderer.render(input));
      const send = await requestSend({ ...parts.sendDeps, render }, { editionId: newsroom.editionId, createdBy: 'test' });
      assert.equal(send.status, 'running');
      assert.ok(asked, 'asked of the thread');
      const stored = await store.db.selectFrom('send_messages').select('template').where('send_id', '=', send.id).executeTakeFirstOrThrow();
      const onLoop = await renderSendMessage(await sendMessageInput(store, (await getSend(store, send.id))!, { publicUrl: parts.sendDeps.publicUrl, mailDomain: parts.mailDomain }));
      assert.equal(comparable(JSON.parse(stored.template) as MessageTemplate), comparable(onLoop));
      const rows = await store.db.selectFrom('recipients').select('email').where('send_id', '=', send.id).execute();
      assert.deepEqual(rows.map((r) => r.email).sort(), [...newsroom.active].sort());
    } finally {
      await renderer.close();
      await store.dispose();
    }
  });

  test(`${backend.name}: an edition the render thread cannot render fails its send as on the event loop, and nothing of the send is written`, { timeout: 60_000 }, async () => {
    const store = await backend.open();
    const renderer = RenderThread.start()!;
    try {
      const newsroom = await seedNewsroom(store, 5);
      const clock = new FakeClock(Date.parse('2026-03-02T04:00:00Z'));
      const parts = deliveryParts({ store, config: testConfig(), clock, transport: outboxTransport('/nonexistent', clock) });
      const version = await store.db.selectFrom('edition_versions').select(['id', 'source']).where('edition_id', '=', newsroom.editionId).executeTakeFirstOrThrow();
      await store.db.updateTable('edition_versions').set({ source: version.source.replace('date: 2026-03-02', 'date: 2026-03-02\nbogus: 1') }).where('id', '=', version.id).execute();
      const render = (input: SendMessageInput) => renderer.render(input);
      await assert.rejects(requestSend({ ...parts.sendDeps, render }, { editionId: newsroom.editionId, createdBy: 't' }), (err: Error) => {
        assert.ok(err instanceof MessageBuildError, String(err));
        assert.match(err.message, /unknown front-matter key `bogus`/);
        return true;
      });
      // The snapshot ran before the message failed, in the same transaction: rolled back with it.
      assert.equal((await store.db.selectFrom('recipients').select('id').execute()).length, 0);
      assert.equal((await store.db.selectFrom('send_messages').select('send_id').execute()).length, 0);
      const sends = await store.db.selectFrom('sends').select('status').execute();
      assert.ok(sends.every((s) => s.status === 'scheduled'), JSON.stringify(sends));
    } finally {
      await renderer.close();
      await store.dispose();
    }
  });
}

test('a render thread that ended leaves the rendering to the event loop: the same message', { timeout: 60_000 }, async () => {
  const renderer = RenderThread.start()!;
  const backend = (await testBackends())[0]!;
  const store = await backend.open();
  try {
    const newsroom = await seedNewsroom(store, 3);
    const clock = new FakeClock(Date.parse('2026-03-02T04:00:00Z'));
    const parts = deliveryParts({ store, config: testConfig(), clock, transport: outboxTransport('/nonexistent', clock) });
    const send = await requestSend(parts.sendDeps, { editionId: newsroom.editionId, at: Date.parse('2026-03-02T05:00:00Z'), createdBy: 't' });
    const input = await sendMessageInput(store, send, { publicUrl: parts.sendDeps.publicUrl, mailDomain: parts.mailDomain });
    await renderer.close();
    assert.equal(comparable(await renderer.render(input)), comparable(await renderSendMessage(input)));
  } finally {
    await store.dispose();
  }
});

test('send --now --wait renders on its render thread: the command\'s event loop never loads MJML, and every reader is mailed', { timeout: 120_000 }, async () => {
  const db = await (await cliBackends())[0]!.create();
  const store = db.open();
  const sink = await startSmtpSink();
  try {
    await migrateToLatest(store);
    const newsroom = await seedNewsroom(store, 6);
    await store.close();
    // Modules are traced on the main thread only: the render thread is started without the tracer.
    const run = await tracedRun(['send', String(newsroom.editionId), '--now', '--wait'], {
      env: { ...db.env, MATINALE_SOURCE: '1', SMTP_URL: sink.url, PUBLIC_URL: 'https://techmatin.example.org', MATINALE_SECRET: SECRET },
    });
    assert.equal(run.status, 0, run.stderr);
    assert.ok(run.files.includes('src/delivery/send-render.ts'));
    assert.ok(!run.packages.has('mjml'), `MJML loaded on the event loop: ${[...run.packages].join(', ')}`);
    assert.deepEqual(sink.received.map((m) => m.to[0]).sort(), [...newsroom.active].sort());
  } finally {
    await sink.close();
    await db.dispose();
  }
});
