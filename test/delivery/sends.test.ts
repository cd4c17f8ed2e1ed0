import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeClock } from '../../src/clock.ts';
import { ASKER_STARTS_MS, requestResend, requestSend, startDueSends } from '../../src/delivery/sends.ts';
import { deliveryParts } from '../../src/delivery/worker.ts';
import { DeliveryWorker } from '../../src/delivery/worker-batch.ts';
import { outboxTransport, type OutboxEntry } from '../../src/delivery/outbox.ts';
import { storeLedger } from '../../src/delivery/store-ledger.ts';
import { createListSend, SendRefused } from '../../src/delivery/send-rules.ts';
import { getSend, sendRecipients } from '../../src/store/sends.ts';
import type { TestStore } from '../helpers/store.ts';
import { testBackends } from '../helpers/store.ts';
import { memoryLogger, SECRET, seedNewsroom, testConfig } from './newsroom-fixture.ts';
import { AudienceKeys } from '../../src/audience/keys.ts';
import { eraseSubscriber } from '../../src/audience/data-rights.ts';
import { outboxCopies } from '../../src/delivery/outbox-erasure.ts';
import { suppress } from '../../src/audience/suppression.ts';
import { outbox } from '../audience/mail-reader.ts';
import { decodeQp } from './message-fixture.ts';
import { MessageBuildError } from '../../src/delivery/send-message.ts';
import { parseEdition } from '../../src/edition/parse.ts';
import { typesetSubject } from '../../src/render/edition-parts.ts';
import { getPublication } from '../../src/store/publications.ts';

function setup(store: TestStore, dir = '/nonexistent') {
  const clock = new FakeClock(Date.parse('2026-03-02T04:00:00Z'));
  const logger = memoryLogger();
  const transport = outboxTransport(join(dir, 'outbox'), clock);
  const parts = deliveryParts({ store, config: testConfig({ dataDir: dir }), clock, transport, logger });
  const worker = new DeliveryWorker({ workerId: 'w', ledger: storeLedger(store), transport, links: parts.links, clock, logger, mailDomain: parts.mailDomain, returnPaths: parts.returnPaths, suppressor: parts.suppressor });
  const drain = async () => {
    while ((await worker.runBatch()) > 0);
  };
  return { clock, parts, drain };
}

async function refusal(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof SendRefused, String(err));
    return err.code;
  }
  assert.fail('the send was not refused');
}

for (const backend of await testBackends()) {
  test(`${backend.name}: only an approved edition goes to the list, once; a test send goes anywhere, marked [TEST]`, async () => {
    const store = await backend.open();
    const dir = mkdtempSync(join(tmpdir(), 'matinale-outbox-'));
    try {
      const newsroom = await seedNewsroom(store, 12, { status: 'draft' });
      const { parts, drain } = setup(store, dir);
      assert.equal(await refusal(requestSend(parts.sendDeps, { editionId: newsroom.editionId, createdBy: 't' })), 'not-approved');

      const testSend = await requestSend(parts.sendDeps, { editionId: newsroom.editionId, test: ['editor@example.org', 'boss@example.org'], createdBy: 't' });
      assert.equal(testSend.kind, 'test');
      assert.equal(testSend.status, 'running');
      await drain();
      const rows = await sendRecipients(store, testSend.id);
      assert.deepEqual(rows.map((r) => [r.email, r.state]), [['editor@example.org', 'sent'], ['boss@example.org', 'sent']]);
      const edition = await store.db.selectFrom('editions').select('status').where('id', '=', newsroom.editionId).executeTakeFirstOrThrow();
      assert.equal(edition.status, 'draft', 'a test send does not move the edition');

      // Through the outbox: one .eml per message and one index line each.
      const index = readFileSync(join(dir, 'outbox', 'index.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as OutboxEntry);
      assert.deepEqual(index.map((e) => e.to).sort(), ['boss@example.org', 'editor@example.org']);
      for (const e of index) {
        const eml = readFileSync(join(dir, 'outbox', e.file), 'utf8');
        assert.match(eml, /^Subject: \[TEST\] /m);
        assert.ok(eml.includes(`Message-ID: <${e.messageId}>`));
        assert.equal(rows.find((r) => r.email === e.to)!.message_id, e.messageId);
      }
      assert.equal(readdirSync(join(dir, 'outbox')).filter((f) => f.endsWith('.eml')).length, 2);

      await store.db.updateTable('editions').set({ status: 'approved' }).where('id', '=', newsroom.editionId).execute();
      const list = await requestSend(parts.sendDeps, { editionId: newsroom.editionId, createdBy: 't' });
      assert.equal(list.kind, 'list');
      assert.equal(await refusal(requestSend(parts.sendDeps, { editionId: newsroom.editionId, createdBy: 't' })), 'already-sent');
      await drain();
      assert.equal((await getSend(store, list.id))!.status, 'done');
      assert.equal(await refusal(requestSend(parts.sendDeps, { editionId: newsroom.editionId, createdBy: 't' })), 'already-sent');
    } finally {
      rmSync(dir, { recursive: true, force: true });
      await store.dispose();
    }
  });

  test(`${backend.name}: a send at a later time snapshots its recipients when it starts; who left meanwhile is not mailed`, async () => {
    const store = await backend.open();
    try {
      const newsroom = await seedNewsroom(store, 10);
      const { clock, parts, drain } = setup(store);
      const send = await requestSend(parts.sendDeps, { editionId: newsroom.editionId, at: clock.now() + 3_600_000, createdBy: 't' });
      assert.equal(send.status, 'scheduled');
      assert.equal((await sendRecipients(store, send.id)).length, 0, 'no snapshot before the start');
      assert.deepEqual(await startDueSends(parts.sendDeps, 3_600_000), { started: [], missed: [] });

      clock.advance(3_600_000);
      assert.deepEqual(await startDueSends(parts.sendDeps, 3_600_000), { started: [send.id], missed: [] });
      assert.deepEqual(await startDueSends(parts.sendDeps, 3_600_000), { started: [], missed: [] }, 'started once');
      const snapshot = await sendRecipients(store, send.id);
      assert.equal(snapshot.length, newsroom.active.length);

      // One reader leaves after the snapshot, before delivery.
      const leaver = newsroom.subscriberIds.get(newsroom.active[0]!)!;
      await store.db.updateTable('subscriptions').set({ status: 'unsubscribed' }).where('subscriber_id', '=', leaver).execute();
      await drain();
      const rows = await sendRecipients(store, send.id);
      assert.equal(rows.find((r) => r.subscriber_id === leaver)!.state, 'suppressed');
      assert.equal(rows.filter((r) => r.state === 'sent').length, newsroom.active.length - 1);
    } finally {
      await store.dispose();
    }
  });

  test(`${backend.name}: an edition edited or unscheduled after it was scheduled does not go out; approved again, it can be sent`, async () => {
    const store = await backend.open();
    try {
      const newsroom = await seedNewsroom(store, 5);
      const { clock, parts } = setup(store);
      const send = await requestSend(parts.sendDeps, { editionId: newsroom.editionId, at: clock.now() + 60_000, createdBy: 't' });
      // A new version sends the scheduled edition back to ready (store/editions.ts).
      await store.db.updateTable('editions').set({ status: 'ready' }).where('id', '=', newsroom.editionId).execute();
      clock.advance(60_000);
      assert.deepEqual(await startDueSends(parts.sendDeps, 3_600_000), { started: [], missed: [] });
      const cancelled = (await getSend(store, send.id))!;
      assert.equal(cancelled.status, 'cancelled');
      assert.match(cancelled.status_reason!, /went back to ready/);
      assert.equal((await sendRecipients(store, send.id)).length, 0);

      // Approved again and scheduled again, then unscheduled by an editor (back to approved).
      await store.db.updateTable('editions').set({ status: 'approved' }).where('id', '=', newsroom.editionId).execute();
      await requestSend(parts.sendDeps, { editionId: newsroom.editionId, at: clock.now() + 60_000, createdBy: 't' });
      await store.db.updateTable('editions').set({ status: 'approved' }).where('id', '=', newsroom.editionId).execute();
      clock.advance(60_000);
      assert.deepEqual(await startDueSends(parts.sendDeps, 3_600_000), { started: [], missed: [] });
      assert.match((await getSend(store, send.id))!.status_reason!, /unscheduled/);

      const again = await requestSend(parts.sendDeps, { editionId: newsroom.editionId, createdBy: 't' });
      assert.equal(again.id, send.id, 'the same send, still one per edition');
      assert.equal(again.status, 'running');
    } finally {
      await store.dispose();
    }
  });

  test(`${backend.name}: a resend takes only the rows that failed`, async () => {
    const store = await backend.open();
    try {
      const newsroom = await seedNewsroom(store, 10);
      const { parts, drain } = setup(store);
      const send = await requestSend(parts.sendDeps, { editionId: newsroom.editionId, createdBy: 't' });
      await drain();
      assert.equal(await refusal(requestResend(parts.sendDeps, send.id, 't')), 'no-failed-rows');
      const [a, b] = await sendRecipients(store, send.id);
      await store.db.updateTable('recipients').set({ state: 'failed' }).where('id', '=', a!.id).execute();
      await store.db.updateTable('recipients').set({ state: 'bounced' }).where('id', '=', b!.id).execute();
      const resend = await requestResend(parts.sendDeps, send.id, 't');
      assert.equal(resend.kind, 'resend');
      assert.equal(resend.parent_send_id, send.id);
      assert.deepEqual((await sendRecipients(store, resend.id)).map((r) => r.email), [a!.email]);
      await drain();
      assert.equal((await getSend(store, resend.id))!.status, 'done');
    } finally {
      await store.dispose();
    }
  });
}

for (const backend of await testBackends()) {
  test(`${backend.name}: an edition that parses with errors is refused at the start of its send, and nothing is mailed`, async () => {
    const store = await backend.open();
    try {
      const newsroom = await seedNewsroom(store, 5);
      const { parts, drain } = setup(store);
      // An unknown front-matter key: the parser still gives an edition, with an error beside it.
      const version = await store.db.selectFrom('edition_versions').select(['id', 'source']).where('edition_id', '=', newsroom.editionId).executeTakeFirstOrThrow();
      await store.db.updateTable('edition_versions').set({ source: version.source.replace('date: 2026-03-02', 'date: 2026-03-02\nbogus: 1') }).where('id', '=', version.id).execute();
      await assert.rejects(requestSend(parts.sendDeps, { editionId: newsroom.editionId, createdBy: 't' }), (err: Error) => {
        assert.ok(err instanceof MessageBuildError, String(err));
        assert.match(err.message, /unknown front-matter key `bogus`/);
        return true;
      });
      await drain();
      assert.equal((await store.db.selectFrom('recipients').select('id').execute()).length, 0);
    } finally {
      await store.dispose();
    }
  });

  test(`${backend.name}: the Subject of a send is the subject the email's title shows, typeset`, async () => {
    const store = await backend.open();
    const dir = mkdtempSync(join(tmpdir(), 'matinale-outbox-'));
    try {
      const newsroom = await seedNewsroom(store, 3);
      const { parts, drain } = setup(store, dir);
      await requestSend(parts.sendDeps, { editionId: newsroom.editionId, createdBy: 't' });
      await drain();
      const mails = outbox(join(dir, 'outbox'));
      assert.equal(mails.length, newsroom.active.length);
      const emls = readdirSync(join(dir, 'outbox')).filter((f) => f.endsWith('.eml'));
      assert.equal(emls.length, mails.length);
      const stored = (await getPublication(store, newsroom.publicationId))!.settings;
      const version = await store.db.selectFrom('edition_versions').select('source').where('edition_id', '=', newsroom.editionId).executeTakeFirstOrThrow();
      const edition = parseEdition(version.source, { file: 'e.md', publication: stored }).edition!;
      const expected = typesetSubject(edition, stored);
      // French typesetting: a no-break space before the colon of « Réseaux : … ».
      assert.match(expected, /Réseaux[\u00a0\u202f]:/);
      for (const file of emls) assert.equal(subjectHeader(readFileSync(join(dir, 'outbox', file), 'utf8')), expected);
      for (const mail of mails) {
        const title = /<title>([^<]*)<\/title>/.exec(mail.html)?.[1];
        assert.equal(title, expected, 'the same subject as the HTML title');
      }
    } finally {
      await store.dispose();
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

/** The decoded Subject of a raw message (RFC 2047: only the space between two encoded words is dropped). */
function subjectHeader(raw: string): string {
  const head = raw.slice(0, raw.search(/\r?\n\r?\n/)).replace(/\r?\n[ \t]+/g, ' ');
  const value = /^Subject: (.*)$/im.exec(head)![1]!;
  return value
    .replace(/\?=\s+(?==\?)/g, '?=')
    .replace(/=\?UTF-8\?Q\?([^?]*)\?=/gi, (_, text: string) => decodeQp(text.replace(/_/g, ' ')));
}

for (const backend of await testBackends()) {
  test(`${backend.name}: a reader suppressed or erased after the snapshot is not mailed: the row becomes suppressed when claimed`, async () => {
    const store = await backend.open();
    const dir = mkdtempSync(join(tmpdir(), 'matinale-outbox-'));
    try {
      const newsroom = await seedNewsroom(store, 10);
      const { clock, parts, drain } = setup(store, dir);
      const send = await requestSend(parts.sendDeps, { editionId: newsroom.editionId, createdBy: 't' });
      const snapshot = await sendRecipients(store, send.id);
      assert.equal(snapshot.length, newsroom.active.length);

      // After the snapshot, before any worker claims: one complaint, one erasure.
      const audience = { store, keys: new AudienceKeys(SECRET), clock };
      const [complained, erased] = [newsroom.active[0]!, newsroom.active[1]!];
      await suppress(audience, newsroom.publicationId, complained, 'complaint', {});
      assert.equal(await eraseSubscriber(audience, erased, outboxCopies(dir)), true);
      await drain();

      const rows = await sendRecipients(store, send.id);
      for (const email of [complained, erased]) {
        const row = rows.find((r) => r.subscriber_id === newsroom.subscriberIds.get(email))!;
        assert.equal(row.state, 'suppressed', email);
      }
      const mailed = readFileSync(join(dir, 'outbox', 'index.jsonl'), 'utf8').trim().split('\n').map((l) => (JSON.parse(l) as OutboxEntry).to);
      assert.equal(mailed.length, newsroom.active.length - 2);
      assert.ok(!mailed.includes(complained) && !mailed.includes(erased));
      assert.equal((await getSend(store, send.id))!.status, 'done');
    } finally {
      await store.dispose();
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

for (const backend of await testBackends()) {
  test(`${backend.name}: a send asked for now is left to its asker for a minute, then any scheduler starts it`, async () => {
    const store = await backend.open();
    try {
      const newsroom = await seedNewsroom(store, 5);
      const { clock, parts } = setup(store);
      // What requestSend has done when it renders: the send exists, due now, not started yet.
      const send = await createListSend(store, { editionId: newsroom.editionId, scheduledFor: clock.now(), createdBy: 't', now: clock.now() });
      assert.deepEqual(await startDueSends(parts.sendDeps, 3_600_000), { started: [], missed: [] }, 'its asker renders and starts it');
      clock.advance(ASKER_STARTS_MS - 1);
      assert.deepEqual(await startDueSends(parts.sendDeps, 3_600_000), { started: [], missed: [] });
      assert.equal((await getSend(store, send.id))!.status, 'scheduled');
      // The asker died between the two steps: the send is not lost.
      clock.advance(1);
      assert.deepEqual(await startDueSends(parts.sendDeps, 3_600_000), { started: [send.id], missed: [] });
      assert.equal((await sendRecipients(store, send.id)).length, newsroom.active.length);
    } finally {
      await store.dispose();
    }
  });
}
