import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../../src/clock.ts';
import { AudienceKeys } from '../../src/audience/keys.ts';
import { verifyToken } from '../../src/audience/tokens.ts';
import { storeLedger, storeRecheck } from '../../src/delivery/store-ledger.ts';
import { getSend, sendRecipients } from '../../src/store/sends.ts';
import { requestSend } from '../../src/delivery/sends.ts';
import { DeliveryWorker } from '../../src/delivery/worker-batch.ts';
import { ReturnPaths } from '../../src/delivery/return-path.ts';
import { suppress } from '../../src/audience/suppression.ts';
import { deliveryParts } from '../../src/delivery/worker.ts';
import { smtpPool } from '../../src/delivery/smtp-pool.ts';
import { outboxTransport } from '../../src/delivery/outbox.ts';
import type { Transport } from '../../src/delivery/transport.ts';
import { testBackends } from '../helpers/store.ts';
import { memoryLogger, SECRET, seedNewsroom, startSmtpSink, testConfig } from './newsroom-fixture.ts';
import { decodeQp, dkimKey } from './message-fixture.ts';
import { DkimSigner } from '../../src/delivery/dkim.ts';
import { dkimVerify } from 'mailauth/lib/dkim/verify.js';

for (const backend of await testBackends()) {
  test(`${backend.name}: a send reaches every recipient exactly once, matching the ledger one for one`, { timeout: 60_000 }, async () => {
    const store = await backend.open();
    const clock = new FakeClock(Date.parse('2026-03-02T05:00:00Z'));
    const bounced = 'reader00003@example.net';
    const slow = 'reader00005@example.net';
    const sink = await startSmtpSink({
      rcpt: (address, attempt) => {
        if (address === bounced) return { code: 550, message: '5.1.1 <reader00003@example.net>: Recipient address rejected: User unknown' };
        if (address === slow && attempt < 3) return { code: 451, message: '4.7.1 Try again later, slow down' };
        return undefined;
      },
    });
    try {
      const newsroom = await seedNewsroom(store, 60);
      const transport = smtpPool([`${sink.url}?pool=3`], { clock });
      const logger = memoryLogger();
      const parts = deliveryParts({ store, config: testConfig(), clock, transport, logger });
      const send = await requestSend(parts.sendDeps, { editionId: newsroom.editionId, createdBy: 'editor@example.org' });
      assert.equal(send.status, 'running');
      const worker = new DeliveryWorker({
        workerId: 'w1',
        ledger: storeLedger(store),
        transport,
        links: parts.links,
        clock,
        logger,
        mailDomain: parts.mailDomain,
        suppressor: parts.suppressor,
        returnPaths: new ReturnPaths(SECRET, parts.mailDomain),
        dkim: new DkimSigner(dkimKey().dkim),
        policy: { batchSize: 25 },
        random: () => 0.5,
      });
      for (let round = 0; round < 20; round++) {
        while ((await worker.runBatch()) > 0);
        if ((await getSend(store, send.id))!.status === 'done') break;
        clock.advance(10 * 60_000);
      }
      await transport.close();

      const finished = (await getSend(store, send.id))!;
      assert.equal(finished.status, 'done');
      const edition = await store.db.selectFrom('editions').select('status').where('id', '=', newsroom.editionId).executeTakeFirstOrThrow();
      assert.equal(edition.status, 'sent');

      const rows = await sendRecipients(store, send.id);
      // The snapshot: every active, unsuppressed subscriber, nobody else.
      assert.deepEqual(rows.map((r) => r.email).sort(), [...newsroom.active].sort());
      const sent = rows.filter((r) => r.state === 'sent');
      assert.equal(sent.length, newsroom.active.length - 1);
      const b = rows.find((r) => r.email === bounced)!;
      assert.equal(b.state, 'bounced');
      assert.equal(b.relay_code, 550);
      assert.match(b.relay_response!, /User unknown/);
      const keys = new AudienceKeys(SECRET);
      const suppression = await store.db.selectFrom('suppressions').selectAll().where('email_hash', '=', keys.addressHash(bounced)).executeTakeFirst();
      assert.equal(suppression?.reason, 'hard-bounce');
      const s = rows.find((r) => r.email === slow)!;
      assert.equal(s.state, 'sent');
      assert.equal(s.attempts, 3);

      // Received one for one: each recipient once, with the ledger's Message-ID.
      assert.equal(sink.received.length, sent.length);
      const byRecipient = new Map(sink.received.map((m) => [m.to[0]!, m]));
      assert.equal(byRecipient.size, sink.received.length, 'no recipient received twice');
      for (const row of sent) {
        const m = byRecipient.get(row.email);
        assert.ok(m, `${row.email} received it`);
        assert.equal(m.messageId, row.message_id);
        assert.equal(row.relay_code, 250);
        assert.match(row.relay_response!, /queued as/);
        // The signed VERP return path names this very row.
        assert.match(m.from, new RegExp(`^bounces\\+${send.id}-${row.id}-[0-9a-f]{16}@techmatin\\.example\\.org$`));
        assert.deepEqual(new ReturnPaths(SECRET, 'techmatin.example.org').verify(m.from), { ok: true, sendId: send.id, recipientId: row.id });
        // Its own working unsubscribe token, in the header and in the body.
        const text = m.raw.toString('utf8');
        const token = /List-Unsubscribe: <https:\/\/techmatin\.example\.org\/unsubscribe\/([^>]+)>/.exec(text)![1]!;
        const check = verifyToken(keys, token, { purpose: 'unsubscribe', now: clock.now() });
        assert.ok(check.ok);
        assert.equal(check.claims.subscriberId, newsroom.subscriberIds.get(row.email));
        assert.equal(check.claims.publicationId, newsroom.publicationId);
        assert.ok(decodeQp(text).includes(`/unsubscribe/${token}`), 'the body links to the same token');
      }
      // Signed as they arrived: an independent verifier (mailauth) checks a sample.
      const resolver = async () => [[dkimKey().txt]];
      for (const m of sink.received.slice(0, 5)) {
        const verdict = await dkimVerify(m.raw, { resolver, curTime: new Date(clock.now()) });
        assert.equal(verdict.results[0]!.status.result, 'pass', `${m.to[0]}: ${JSON.stringify(verdict.results[0]!.status)}`);
      }
      assert.ok(sink.connections <= 6, `connections are reused (${sink.connections} opened for ${sink.received.length} messages)`);
      const batches = logger.lines.filter((l) => l.msg === 'delivery batch');
      assert.ok(batches.length >= 3 && batches.length < 20, 'one log line per batch');
      assert.ok(logger.lines.some((l) => l.msg === 'send finished'));
      assert.ok(!JSON.stringify(logger.lines).includes('/unsubscribe/'), 'no token in the logs');
    } finally {
      await sink.close();
      await store.dispose();
    }
  });

  test(`${backend.name}: a send pauses itself when too many attempts fail, and says why`, { timeout: 60_000 }, async () => {
    const store = await backend.open();
    const clock = new FakeClock(Date.parse('2026-03-02T05:00:00Z'));
    const sink = await startSmtpSink({ rcpt: () => ({ code: 452, message: '4.3.1 Insufficient system storage' }) });
    try {
      const newsroom = await seedNewsroom(store, 80);
      const transport = smtpPool([sink.url], { clock });
      const logger = memoryLogger();
      const parts = deliveryParts({ store, config: testConfig(), clock, transport, logger });
      const send = await requestSend(parts.sendDeps, { editionId: newsroom.editionId, createdBy: 'editor@example.org' });
      const worker = new DeliveryWorker({
        workerId: 'w1', ledger: storeLedger(store), transport, links: parts.links, clock, logger, mailDomain: parts.mailDomain, returnPaths: parts.returnPaths,
        policy: { batchSize: 100, errorRate: { windowMs: 60_000, threshold: 0.5, minAttempts: 20 } },
      });
      await worker.runBatch();
      await transport.close();
      const paused = (await getSend(store, send.id))!;
      assert.equal(paused.status, 'paused');
      assert.match(paused.status_reason!, /attempts failed/);
      const rows = await sendRecipients(store, send.id);
      assert.ok(rows.every((r) => r.state === 'pending'), 'nothing lost: every row waits');
      assert.equal(await worker.runBatch(), 0, 'a paused send is not claimed');
    } finally {
      await sink.close();
      await store.dispose();
    }
  });
}

for (const backend of await testBackends()) {
  test(`${backend.name}: a worker whose lease was taken stops its batch: it sends nothing more, records nothing for the rows it lost, gives back the rest`, { timeout: 60_000 }, async () => {
    const store = await backend.open();
    const clock = new FakeClock(Date.parse('2026-03-02T05:00:00Z'));
    try {
      const newsroom = await seedNewsroom(store, 10);
      const logger = memoryLogger();
      const parts = deliveryParts({ store, config: testConfig(), clock, transport: outboxTransport('/nonexistent', clock), logger });
      const send = await requestSend(parts.sendDeps, { editionId: newsroom.editionId, createdBy: 'editor@example.org' });
      const ids = (await sendRecipients(store, send.id)).map((r) => r.id).sort((a, b) => a - b);
      const [firstId, lastId] = [ids[0]!, ids.at(-1)!];
      const sentTo: string[] = [];
      // One message takes longer than half the lease (a loaded machine), and
      // meanwhile another worker takes the first and the last row.
      const transport: Transport = {
        description: 'slow',
        concurrency: 1,
        async submit(message) {
          sentTo.push(message.to);
          clock.advance(6_000);
          await store.db.updateTable('recipients').set({ lease_owner: 'w2', lease_expires_at: clock.now() + 10_000 }).where('id', 'in', [firstId, lastId]).execute();
          return { ok: true, code: 250, response: '250 ok' };
        },
        close: async () => {},
      };
      const worker = new DeliveryWorker({
        workerId: 'w1', ledger: storeLedger(store), transport, links: parts.links, clock, logger, mailDomain: parts.mailDomain, returnPaths: parts.returnPaths,
        policy: { batchSize: 100, leaseMs: 10_000 },
      });
      assert.equal(await worker.runBatch(), ids.length);
      // Two messages in flight at once (twice the transport's concurrency), both
      // checked before the clock moved; the renewal before the third found the lease taken.
      assert.equal(sentTo.length, 2, 'nothing more sent once the lease was found taken');

      const rows = new Map((await sendRecipients(store, send.id)).map((r) => [r.id, r]));
      for (const id of [firstId, lastId]) {
        const r = rows.get(id)!;
        assert.deepEqual([r.state, r.lease_owner], ['sending', 'w2'], 'the other worker keeps the rows it took; no result of ours recorded over them');
      }
      assert.equal(rows.get(ids[1]!)!.state, 'sent', 'a row still held takes its result');
      const rest = ids.slice(2, -1).map((id) => rows.get(id)!);
      assert.ok(rest.length > 0);
      assert.ok(rest.every((r) => r.state === 'pending' && r.lease_owner === null && r.attempts === 0), 'the untried rows go back to pending, the attempt not counted');
      assert.ok(logger.lines.some((l) => l.msg === 'lease lost: batch stopped'));
    } finally {
      await store.dispose();
    }
  });
}

for (const backend of await testBackends()) {
  test(`${backend.name}: a reader who leaves while the batch is under way is not mailed: the row ends suppressed`, { timeout: 60_000 }, async () => {
    const store = await backend.open();
    const clock = new FakeClock(Date.parse('2026-03-02T05:00:00Z'));
    try {
      const newsroom = await seedNewsroom(store, 10);
      const logger = memoryLogger();
      const parts = deliveryParts({ store, config: testConfig(), clock, transport: outboxTransport('/nonexistent', clock), logger });
      const send = await requestSend(parts.sendDeps, { editionId: newsroom.editionId, createdBy: 'editor@example.org' });
      const leaver = newsroom.active.at(-1)!;
      const keys = new AudienceKeys(SECRET);
      const sentTo: string[] = [];
      // The first message takes three seconds; meanwhile the last reader of the
      // batch complains (suppressed and unsubscribed), after the claim.
      const transport: Transport = {
        description: 'slow',
        concurrency: 1,
        async submit(message) {
          if (sentTo.length === 0) {
            clock.advance(3_000);
            await suppress({ store, keys, clock }, newsroom.publicationId, leaver, 'complaint');
          }
          sentTo.push(message.to);
          return { ok: true, code: 250, response: '250 ok' };
        },
        close: async () => {},
      };
      const worker = new DeliveryWorker({
        workerId: 'w1', ledger: storeLedger(store), transport, links: parts.links, clock, logger, mailDomain: parts.mailDomain, returnPaths: parts.returnPaths,
        recheck: storeRecheck(store), policy: { batchSize: 100 },
      });
      assert.equal(await worker.runBatch(), newsroom.active.length);
      assert.ok(!sentTo.includes(leaver), 'the reader who left is not mailed');
      assert.equal(sentTo.length, newsroom.active.length - 1, 'everyone else is');
      const batch = logger.lines.find((l) => l.msg === 'delivery batch')!;
      assert.equal((batch.obj as { suppressed?: number }).suppressed, 1);
      const rows = await sendRecipients(store, send.id);
      const row = rows.find((r) => r.email === leaver)!;
      assert.deepEqual([row.state, row.lease_owner], ['suppressed', null]);
      assert.equal(rows.filter((r) => r.state === 'sent').length, newsroom.active.length - 1);
      assert.equal((await getSend(store, send.id))!.status, 'done', 'the send finishes with the batch');
    } finally {
      await store.dispose();
    }
  });

  test(`${backend.name}: a fast batch does not look again: the claim's own look is recent enough`, async () => {
    const store = await backend.open();
    const clock = new FakeClock(Date.parse('2026-03-02T05:00:00Z'));
    try {
      const newsroom = await seedNewsroom(store, 10);
      const parts = deliveryParts({ store, config: testConfig(), clock, transport: outboxTransport('/nonexistent', clock), logger: memoryLogger() });
      await requestSend(parts.sendDeps, { editionId: newsroom.editionId, createdBy: 'editor@example.org' });
      let looks = 0;
      const recheck = { ...storeRecheck(store), goneAmong: async (ids: readonly number[]) => (looks++, storeRecheck(store).goneAmong(ids)) };
      const transport: Transport = { description: 'fast', concurrency: 1, submit: async () => ({ ok: true, code: 250, response: '250 ok' }), close: async () => {} };
      const worker = new DeliveryWorker({ workerId: 'w1', ledger: storeLedger(store), transport, links: parts.links, clock, logger: memoryLogger(), mailDomain: parts.mailDomain, returnPaths: parts.returnPaths, recheck });
      assert.equal(await worker.runBatch(), newsroom.active.length);
      assert.equal(looks, 0);
    } finally {
      await store.dispose();
    }
  });
}
