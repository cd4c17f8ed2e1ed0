// The order of SmtpSession's commands: with PIPELINING the envelope (MAIL
// FROM, RCPT TO, DATA) leaves in one write and its replies are matched in
// order; without it each command waits for the previous reply; a relay that
// refuses EHLO gets HELO, and no extension is assumed. The raw relay records
// each TCP chunk it reads, so what went in one write is seen. PIPELINING
// across messages, through the pool, is smtp-pipelining.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SmtpSession } from '../../src/delivery/smtp-client.ts';
import { client, envelope, rawRelay } from './smtp-client-fixture.ts';

test('with PIPELINING the envelope goes in one write and its three replies, in one packet, are matched in order', async () => {
  const relay = await rawRelay();
  const session = await SmtpSession.open(client(relay.port));
  try {
    await session.send(envelope, Buffer.from('Subject: one\r\n\r\n1\r\n'));
    await session.send({ ...envelope, to: 'other@example.net' }, Buffer.from('Subject: two\r\n\r\n2\r\n'));
    const envelopes = relay.batches.filter((b) => b.some((c) => c.startsWith('MAIL')));
    // The relay offers SIZE: each MAIL FROM states its message's size.
    assert.deepEqual(envelopes, [
      [`MAIL FROM:<${envelope.from}> SIZE=19`, `RCPT TO:<${envelope.to}>`, 'DATA'],
      [`MAIL FROM:<${envelope.from}> SIZE=19`, 'RCPT TO:<other@example.net>', 'DATA'],
    ]);
    assert.deepEqual(
      relay.bodies.map((b) => b.toString()),
      ['Subject: one\r\n\r\n1\r\n', 'Subject: two\r\n\r\n2\r\n'],
    );
  } finally {
    session.close();
    await relay.close();
  }
});

test('without PIPELINING one command at a time, each after the previous reply', async () => {
  const relay = await rawRelay({ ehlo: '250-raw.example.net\r\n250 SIZE 1000000\r\n' });
  const session = await SmtpSession.open(client(relay.port));
  try {
    assert.equal((await session.send(envelope, Buffer.from('.dot\r\n'))).code, 250);
    assert.ok(
      relay.batches.every((b) => b.length <= 1),
      JSON.stringify(relay.batches),
    );
    assert.deepEqual(relay.commands.slice(1), [`MAIL FROM:<${envelope.from}> SIZE=6`, `RCPT TO:<${envelope.to}>`, 'DATA']);
    assert.equal(relay.bodies[0]!.toString(), '..dot\r\n');
  } finally {
    session.close();
    await relay.close();
  }
});

test('EHLO refused with a 5xx: HELO, and no extension is assumed', async () => {
  const relay = await rawRelay({ answer: (c) => (c.startsWith('EHLO') ? '502 5.5.1 what is EHLO\r\n' : undefined) });
  const session = await SmtpSession.open(client(relay.port));
  try {
    assert.equal(session.offers('PIPELINING'), false);
    assert.equal((await session.send(envelope, Buffer.from('Subject: helo\r\n\r\nx\r\n'))).code, 250);
    assert.match(relay.commands[1]!, /^HELO /);
    assert.ok(relay.batches.every((b) => b.length <= 1));
  } finally {
    session.close();
    await relay.close();
  }
});
