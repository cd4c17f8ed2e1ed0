// What a relay's refusal does to the readers and to the send, through the real
// SMTP pool and worker, against an SMTP server of our own that refuses as told:
// only a refusal of the reader's mailbox bounces (and suppresses, and ends the
// subscription); a refusal of the newsroom, the sender or the message fails
// the rows it touched (resendable), suppresses nobody and pauses the send with
// the relay's answer.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { SMTPServerOptions } from 'smtp-server';
import { FakeClock } from '../../src/clock.ts';
import { AudienceKeys } from '../../src/audience/keys.ts';
import { requestResend, requestSend } from '../../src/delivery/sends.ts';
import { smtpPool } from '../../src/delivery/smtp-pool.ts';
import { DeliveryWorker, type WorkerPolicy } from '../../src/delivery/worker-batch.ts';
import { deliveryParts } from '../../src/delivery/worker.ts';
import type { Store } from '../../src/store/db.ts';
import { storeLedger } from '../../src/store/ledger.ts';
import { getSend, sendRecipients } from '../../src/store/sends.ts';
import { testBackends } from '../helpers/store.ts';
import { memoryLogger, SECRET, seedNewsroom, startSmtpSink, testConfig, type Newsroom, type RcptRule, type SmtpSink } from './newsroom-fixture.ts';

/** An smtp-server refusal: the code, and the text after it (the enhanced status first, when there is one). */
function refusal(code: number, text: string): Error {
  return Object.assign(new Error(text), { responseCode: code });
}

/** Delivers the newsroom's edition through `sink` until the send is no longer running (or nothing is left to do). */
async function deliver(store: Store, sink: SmtpSink, newsroom: Newsroom, policy: Partial<WorkerPolicy> = {}, parentSendId?: number) {
  const clock = new FakeClock(Date.parse('2026-03-02T05:00:00Z'));
  const transport = smtpPool([`${sink.url}?pool=2`], { clock });
  const logger = memoryLogger();
  const parts = deliveryParts({ store, config: testConfig(), clock, transport, logger });
  const send =
    parentSendId === undefined
      ? await requestSend(parts.sendDeps, { editionId: newsroom.editionId, createdBy: 'editor@example.org' })
      : await requestResend(parts.sendDeps, parentSendId, 'editor@example.org');
  const worker = new DeliveryWorker({
    workerId: 'w1',
    ledger: storeLedger(store),
    transport,
    links: parts.links,
    clock,
    logger,
    mailDomain: parts.mailDomain,
    suppressor: parts.suppressor,
    returnPaths: parts.returnPaths,
    policy: { batchSize: 10, ...policy },
    random: () => 0.5,
  });
  try {
    for (let round = 0; round < 30; round++) {
      while ((await worker.runBatch()) > 0);
      if ((await getSend(store, send.id))!.status !== 'running') break;
      clock.advance(20 * 60_000);
    }
  } finally {
    await transport.close();
  }
  const rows = await sendRecipients(store, send.id);
  return { send: (await getSend(store, send.id))!, rows, logger, byState: (state: string) => rows.filter((r) => r.state === state).map((r) => r.email).sort() };
}

/** Who the newsroom may still mail: the readers suppressed, and those whose subscription ended, beyond the seeded ones. */
async function readersLost(store: Store, newsroom: Newsroom): Promise<{ suppressed: string[]; unsubscribed: string[] }> {
  const keys = new AudienceKeys(SECRET);
  const hashes = await store.db.selectFrom('suppressions').select('email_hash').where('publication_id', '=', newsroom.publicationId).execute();
  const suppressedHashes = new Set(hashes.map((h) => h.email_hash));
  const ended = await store.db
    .selectFrom('subscriptions')
    .innerJoin('subscribers', 'subscribers.id', 'subscriptions.subscriber_id')
    .select('subscribers.email')
    .where('subscriptions.publication_id', '=', newsroom.publicationId)
    .where('subscriptions.status', '!=', 'active')
    .execute();
  return {
    suppressed: newsroom.active.filter((e) => suppressedHashes.has(keys.addressHash(e))).sort(),
    unsubscribed: ended.map((s) => s.email!).filter((e) => !newsroom.unsubscribed.includes(e)).sort(),
  };
}

/** The send refused: paused with the relay's answer, every row it tried failed with it, the rest waiting, nobody lost. */
async function assertSendRefused(store: Store, newsroom: Newsroom, run: Awaited<ReturnType<typeof deliver>>, answer: RegExp) {
  assert.equal(run.send.status, 'paused', JSON.stringify(run.send));
  assert.match(run.send.status_reason!, /^paused: the relay refused /);
  assert.match(run.send.status_reason!, answer);
  assert.ok(!/reader\d+@example\.net/.test(run.send.status_reason!), `no reader's address in the reason: ${run.send.status_reason}`);
  assert.deepEqual(run.byState('bounced'), [], 'nobody bounced');
  assert.deepEqual(run.byState('sent'), []);
  const failed = run.rows.filter((r) => r.state === 'failed');
  assert.ok(failed.length >= 1, 'the rows the relay refused are failed');
  for (const r of failed) assert.match(`${r.relay_code} ${r.relay_response}`, answer);
  assert.ok(run.rows.every((r) => r.state === 'failed' || r.state === 'pending'), 'the others wait for the send to be resumed');
  assert.deepEqual(await readersLost(store, newsroom), { suppressed: [], unsubscribed: [] }, 'every reader still subscribed, nobody suppressed');
  assert.ok(run.logger.lines.some((l) => l.msg === 'send paused'));
  assert.ok(!JSON.stringify(run.logger.lines).includes('reader0'), 'no address in the logs');
}

for (const backend of await testBackends()) {
  test(`${backend.name}: only the readers whose mailbox the relay says is gone bounce; a full mailbox and greylisting keep the reader`, { timeout: 60_000 }, async () => {
    const store = await backend.open();
    const gone = ['reader00003@example.net', 'reader00012@example.net'];
    const disabled = 'reader00015@example.net';
    const bare = 'reader00016@example.net';
    const full = 'reader00005@example.net';
    const rcpt: RcptRule = (address, attempt) => {
      if (gone.includes(address)) return { code: 550, message: `5.1.1 <${address}>: Recipient address rejected: User unknown in local recipient table` };
      if (address === disabled) return { code: 550, message: '5.2.1 Mailbox disabled, not accepting messages' };
      // An old relay's "no such user", alone among readers it accepts.
      if (address === bare) return { code: 550, message: 'No such user here' };
      if (address === full) return { code: 552, message: '5.2.2 Mailbox full' };
      // Greylisting of almost half the list: never counted against the send.
      if (Number(address.slice(6, 11)) % 2 === 0 && attempt === 1) return { code: 450, message: '4.7.1 Greylisted, see http://postgrey.schweikert.ch/help/example.net.html' };
      return undefined;
    };
    const sink = await startSmtpSink({ rcpt });
    try {
      const newsroom = await seedNewsroom(store, 30);
      // An error window that the greylisting alone would trip if it were counted.
      const run = await deliver(store, sink, newsroom, { errorRate: { windowMs: 60 * 60_000, threshold: 0.2, minAttempts: 10 } });
      assert.equal(run.send.status, 'done', run.send.status_reason ?? '');
      assert.deepEqual(run.byState('bounced'), [...gone, disabled, bare].sort());
      assert.deepEqual(run.byState('failed'), [full]);
      const fullRow = run.rows.find((r) => r.email === full)!;
      assert.deepEqual([fullRow.relay_code, fullRow.attempts], [552, 1], 'a full mailbox is not tried again within the send');
      assert.equal(run.byState('sent').length, newsroom.active.length - 5);
      const lost = await readersLost(store, newsroom);
      assert.deepEqual(lost.suppressed, [...gone, disabled, bare].sort(), 'the bounced readers, and only they, are suppressed');
      assert.deepEqual(lost.unsubscribed, [...gone, disabled, bare].sort());
    } finally {
      await sink.close();
      await store.dispose();
    }
  });

  test(`${backend.name}: 554 5.7.1 Client host rejected at RCPT is the relay refusing the send: nobody bounced, paused, and the failed rows resent once it accepts`, { timeout: 60_000 }, async () => {
    const store = await backend.open();
    let refusing = true;
    const sink = await startSmtpSink({ rcpt: () => (refusing ? { code: 554, message: '5.7.1 <unknown[127.0.0.1]>: Client host rejected: Access denied' } : undefined) });
    try {
      const newsroom = await seedNewsroom(store, 30);
      const run = await deliver(store, sink, newsroom);
      await assertSendRefused(store, newsroom, run, /554 5\.7\.1 .*Client host rejected/);
      assert.equal(sink.received.length, 0);
      // The relay lets us in again: a resend takes exactly the failed rows, and they go.
      refusing = false;
      const failed = run.byState('failed');
      const resend = await deliver(store, sink, newsroom, {}, run.send.id);
      assert.equal(resend.send.status, 'done');
      assert.deepEqual(resend.byState('sent'), failed);
      assert.deepEqual(sink.received.map((m) => m.to[0]).sort(), failed);
    } finally {
      await sink.close();
      await store.dispose();
    }
  });

  test(`${backend.name}: 552 5.3.4 message file too big at the end of DATA is the relay refusing the message: nobody bounced, paused`, { timeout: 60_000 }, async () => {
    const store = await backend.open();
    const server: Partial<SMTPServerOptions> = {
      onData(stream, _session, cb) {
        stream.on('data', () => {});
        stream.on('end', () => cb(refusal(552, '5.3.4 Error: message file too big')));
      },
    };
    const sink = await startSmtpSink({ server });
    try {
      const newsroom = await seedNewsroom(store, 30);
      await assertSendRefused(store, newsroom, await deliver(store, sink, newsroom), /552 5\.3\.4 Error: message file too big/);
    } finally {
      await sink.close();
      await store.dispose();
    }
  });

  test(`${backend.name}: a 5xx to MAIL FROM, even one naming a mailbox, is the relay refusing the sender: nobody bounced, paused`, { timeout: 60_000 }, async () => {
    const store = await backend.open();
    const server: Partial<SMTPServerOptions> = { onMailFrom: (_address, _session, cb) => cb(refusal(550, '5.1.0 Sender rejected: not owned by user matinale')) };
    const sink = await startSmtpSink({ server });
    try {
      const newsroom = await seedNewsroom(store, 30);
      const run = await deliver(store, sink, newsroom);
      await assertSendRefused(store, newsroom, run, /550 5\.1\.0 Sender rejected/);
      assert.match(run.send.status_reason!, /\(to MAIL FROM\)/);
    } finally {
      await sink.close();
      await store.dispose();
    }
  });

  test(`${backend.name}: a bare 550 given to reader after reader is the relay refusing the send: nobody bounced, paused after 5 in a row`, { timeout: 60_000 }, async () => {
    const store = await backend.open();
    const sink = await startSmtpSink({ rcpt: () => ({ code: 550, message: 'Service unavailable' }) });
    try {
      const newsroom = await seedNewsroom(store, 30);
      const run = await deliver(store, sink, newsroom);
      await assertSendRefused(store, newsroom, run, /550 Service unavailable/);
      assert.match(run.send.status_reason!, /refused 5 readers in a row without saying why/);
      assert.ok(run.byState('failed').length >= 5);
    } finally {
      await sink.close();
      await store.dispose();
    }
  });
}
