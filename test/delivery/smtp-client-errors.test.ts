// How an SmtpSession fails, and what is left of it: a refused recipient is an
// error naming RCPT TO, the body never sent and the session usable after RSET;
// a relay that hangs up mid-DATA, never greets, stops answering, refuses the
// greeting or says 421 unasked ends the session with a clear error. Against
// the raw relay, which misbehaves exactly where each test tells it to.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SmtpSession } from '../../src/delivery/smtp-client.ts';
import { client, envelope, rawRelay, rejection } from './smtp-client-fixture.ts';

test('a 5xx to RCPT with PIPELINING: the body is never sent, the error names RCPT TO, and the session works after RSET', async () => {
  const relay = await rawRelay({
    answer: (c) => (c === 'RCPT TO:<gone@example.net>' ? '550 5.1.1 <gone@example.net>: User unknown\r\n' : undefined),
  });
  // A relay that refused every recipient answers DATA 503 (RFC 2920); the raw relay would say 354, so say it here.
  let refusedRcpt = false;
  const strict = await rawRelay({
    answer: (c) => {
      if (c === 'RCPT TO:<gone@example.net>') {
        refusedRcpt = true;
        return '550 5.1.1 User unknown\r\n';
      }
      if (c === 'DATA' && refusedRcpt) {
        refusedRcpt = false;
        return '503 5.5.1 No valid recipients\r\n';
      }
      return undefined;
    },
  });
  try {
    for (const r of [relay, strict]) {
      const session = await SmtpSession.open(client(r.port));
      const err = await rejection(session.send({ ...envelope, to: 'gone@example.net' }, Buffer.from('Subject: secret body\r\n\r\nnever sent\r\n')));
      assert.equal(err.responseCode, 550);
      assert.equal(err.command, 'RCPT TO');
      assert.equal(err.code, 'EENVELOPE');
      assert.match(err.response!, /User unknown/);
      assert.equal(session.broken, false);
      await session.reset();
      assert.equal((await session.send(envelope, Buffer.from('Subject: next\r\n\r\nok\r\n'))).code, 250);
      // The relay that said 354 got an empty message ("." alone); neither saw the refused body.
      assert.deepEqual(
        r.bodies.map((b) => b.toString()),
        r === relay ? ['', 'Subject: next\r\n\r\nok\r\n'] : ['Subject: next\r\n\r\nok\r\n'],
      );
      assert.ok(!r.commands.some((c) => c.includes('never sent') || c.includes('secret')));
      assert.ok(r.commands.includes('RSET'));
      session.close();
    }
  } finally {
    await relay.close();
    await strict.close();
  }
});

test('a relay that closes the connection in the middle of DATA fails the message with a temporary ECONNECTION', async () => {
  const relay = await rawRelay({ onDataChunk: (socket) => socket.destroy() });
  const session = await SmtpSession.open(client(relay.port));
  try {
    const err = await rejection(session.send(envelope, Buffer.from(`Subject: big\r\n\r\n${'line\r\n'.repeat(200_000)}`)));
    assert.equal(err.code, 'ECONNECTION');
    assert.equal(err.responseCode, undefined);
    assert.equal(err.command, 'DATA');
    assert.equal(session.broken, true);
    assert.equal((await rejection(session.send(envelope, Buffer.from('x\r\n')))).code, 'ECONNECTION');
  } finally {
    session.close();
    await relay.close();
  }
});

test('a relay that never greets times out with a clear error; one that stops answering too', async () => {
  const mute = await rawRelay({ greeting: '' });
  const slow = await rawRelay({ answerData: () => '' });
  try {
    const started = Date.now();
    const err = await rejection(SmtpSession.open(client(mute.port, { timeouts: { greetingMs: 150 } })));
    assert.equal(err.code, 'ETIMEDOUT');
    assert.equal(err.command, 'CONN');
    assert.match(err.message, /did not answer CONN within 150 ms/);
    assert.ok(Date.now() - started < 5_000);
    const session = await SmtpSession.open(client(slow.port, { timeouts: { dataEndMs: 150 } }));
    const late = await rejection(session.send(envelope, Buffer.from('Subject: x\r\n\r\ny\r\n')));
    assert.equal(late.code, 'ETIMEDOUT');
    assert.equal(late.command, 'DATA');
    assert.equal(session.broken, true);
  } finally {
    await mute.close();
    await slow.close();
  }
});

test('a refused greeting and an unasked-for 421 end the session', async () => {
  const refusing = await rawRelay({ greeting: '554 5.7.1 go away\r\n' });
  try {
    const err = await rejection(SmtpSession.open(client(refusing.port)));
    assert.deepEqual({ code: err.code, responseCode: err.responseCode, command: err.command, response: err.response }, { code: 'EPROTOCOL', responseCode: 554, command: 'CONN', response: '554 5.7.1 go away' });
  } finally {
    await refusing.close();
  }
  // The relay's idle timeout: a 421 nobody asked for (here in the same packet as the 250), then it hangs up.
  const hangingUp = await rawRelay({ answerData: () => '250 2.0.0 queued\r\n421 4.4.2 idle for too long\r\n' });
  const session = await SmtpSession.open(client(hangingUp.port));
  try {
    assert.equal((await session.send(envelope, Buffer.from('x\r\n'))).code, 250);
    assert.equal(session.broken, true);
    assert.equal((await rejection(session.send(envelope, Buffer.from('y\r\n')))).code, 'ECONNECTION');
  } finally {
    session.close();
    await hangingUp.close();
  }
});
