// What a relay's refusal does to the readers and to the send, through the real
// SMTP pool and worker, against an SMTP server of our own that refuses as told:
// only a refusal of the reader's mailbox bounces (and suppresses, and ends the
// subscription); a refusal of the newsroom, the sender or the message fails
// the rows it touched (resendable), suppresses nobody and pauses the send with
// the relay's answer.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { SMTPServerOptions } from 'smtp-server';
import { testBackends } from '../helpers/store.ts';
import { seedNewsroom, startSmtpSink, type RcptRule } from './newsroom-fixture.ts';
import { assertSendRefused, deliver, readersLost } from './refusal-fixture.ts';

/** An smtp-server refusal: the code, and the text after it (the enhanced status first, when there is one). */
function refusal(code: number, text: string): Error {
  return Object.assign(new Error(text), { responseCode: code });
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
      const run = await deliver(store, sink.url, newsroom, { errorRate: { windowMs: 60 * 60_000, threshold: 0.2, minAttempts: 10 } });
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
      const run = await deliver(store, sink.url, newsroom);
      await assertSendRefused(store, newsroom, run, /554 5\.7\.1 .*Client host rejected/);
      assert.equal(sink.received.length, 0);
      // The relay lets us in again: a resend takes exactly the failed rows, and they go.
      refusing = false;
      const failed = run.byState('failed');
      const resend = await deliver(store, sink.url, newsroom, {}, run.send.id);
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
      await assertSendRefused(store, newsroom, await deliver(store, sink.url, newsroom), /552 5\.3\.4 Error: message file too big/);
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
      const run = await deliver(store, sink.url, newsroom);
      await assertSendRefused(store, newsroom, run, /550 5\.1\.0 Sender rejected/);
      assert.match(run.send.status_reason!, /\(to MAIL FROM\)/);
    } finally {
      await sink.close();
      await store.dispose();
    }
  });

  test(`${backend.name}: a bare 550 given to reader after reader, greylisting between them, is the relay refusing the send: nobody bounced, paused after 5 in a row`, { timeout: 60_000 }, async () => {
    const store = await backend.open();
    // Every third reader greylisted first: a temporary answer says nothing of whether the relay takes readers, and does not break the run.
    const rcpt: RcptRule = (address, attempt) =>
      Number(address.slice(6, 11)) % 3 === 0 && attempt === 1 ? { code: 450, message: '4.7.1 Greylisted' } : { code: 550, message: 'Service unavailable' };
    const sink = await startSmtpSink({ rcpt });
    try {
      const newsroom = await seedNewsroom(store, 30);
      const run = await deliver(store, sink.url, newsroom);
      await assertSendRefused(store, newsroom, run, /550 Service unavailable/);
      assert.match(run.send.status_reason!, /refused 5 readers in a row without saying why/);
      assert.ok(run.byState('failed').length >= 5);
    } finally {
      await sink.close();
      await store.dispose();
    }
  });
}
