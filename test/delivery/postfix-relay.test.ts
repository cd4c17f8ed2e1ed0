// Our SMTP pool against a real Postfix smtpd (test/helpers/postfix.ts): the
// conversation that readers' relays hold with us, STARTTLS included.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { smtpPool } from '../../src/delivery/smtp-pool.ts';
import { systemClock } from '../../src/clock.ts';
import type { OutgoingMessage } from '../../src/delivery/transport.ts';
import { postfixUnavailable, startPostfix } from '../helpers/postfix.ts';
import { startSmtpSink } from './newsroom-fixture.ts';

const skip = postfixUnavailable();

function message(n: number): OutgoingMessage {
  const messageId = `1.${n}.matinale@example.org`;
  const raw = Buffer.from(`From: a@example.org\r\nTo: <reader${n}@example.net>\r\nMessage-ID: <${messageId}>\r\nSubject: n${n}\r\n\r\n.a line that starts with a dot\r\nbody ${n}\r\n`);
  return { from: `bounces+1-${n}@example.org`, to: `reader${n}@example.net`, raw, messageId };
}

test('messages go over STARTTLS through a real Postfix and come out whole on the other side', { skip }, async () => {
  const sink = await startSmtpSink();
  const postfix = await startPostfix({ startTls: true, relayTo: { host: '127.0.0.1', port: sink.port }, settings: { smtpd_tls_loglevel: '1' } });
  const transport = smtpPool([`${postfix.url}?pool=2&tls=insecure`], { clock: systemClock });
  try {
    const results = await Promise.all([1, 2, 3].map((n) => transport.submit(message(n))));
    assert.ok(results.every((r) => r.ok && r.code === 250), JSON.stringify(results));
    assert.match(postfix.log(), /TLS connection established from localhost/);
    for (let i = 0; i < 100 && sink.received.length < 3; i++) await new Promise((r) => setTimeout(r, 100));
    assert.deepEqual(sink.received.map((m) => m.to[0]).sort(), ['reader1@example.net', 'reader2@example.net', 'reader3@example.net']);
    const two = sink.received.find((m) => m.to[0] === 'reader2@example.net')!;
    assert.equal(two.from, 'bounces+1-2@example.org');
    // Postfix adds its Received line (and a Date, our test message has none);
    // every header we wrote and the body come out unchanged.
    const [ourHead, ourBody] = message(2).raw.toString().split('\r\n\r\n');
    const [head, body] = two.raw.toString().split('\r\n\r\n');
    assert.equal(body, ourBody);
    for (const line of ourHead!.split('\r\n')) assert.ok(head!.split('\r\n').includes(line), `${line} missing from ${head}`);
  } finally {
    await transport.close();
    await postfix.stop();
    await sink.close();
  }
});

test('a self-signed certificate is refused unless the relay URL says tls=insecure', { skip }, async () => {
  const postfix = await startPostfix({ startTls: true });
  const transport = smtpPool([postfix.url], { clock: systemClock });
  try {
    const r = await transport.submit(message(1));
    assert.equal(r.ok, false);
    assert.equal(postfix.submitted().length, 0);
  } finally {
    await transport.close();
    await postfix.stop();
  }
});
