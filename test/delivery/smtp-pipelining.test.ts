// PIPELINING across messages (RFC 2920, 3.1): once a message's body is
// written, the pool hands its session to a message waiting for a connection,
// whose envelope leaves in the same write, before the relay answered the body.
// A scripted relay over `net` holds its answer to each body until it has read
// what follows it, so that a client that waited for the answer would be seen
// (the relay answers anyway after a while, and says so).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { systemClock } from '../../src/clock.ts';
import { SmtpSession } from '../../src/delivery/smtp-client.ts';
import { smtpPool } from '../../src/delivery/smtp-pool.ts';
import type { OutgoingMessage, SubmitResult } from '../../src/delivery/transport.ts';

interface ScriptedRelay {
  port: number;
  /** Every command line, the bodies as `<body N>` and our replies as `> …`, in the order seen. */
  log: string[];
  /** How many bodies arrived in the same chunk as the next message's MAIL FROM. */
  joined: number;
  /** Bodies answered though nothing followed them within the wait: the client waited for the answer. */
  answeredAlone: number;
  connections: number;
  close(): Promise<void>;
}

/**
 * A relay offering PIPELINING. `answerBody(n)` answers the n-th body (from 1)
 * and `answer(line)` a command (undefined: the usual); `hangUpAfterBody(n)`
 * closes the connection after that answer. The answer to a body waits until
 * a command follows it, or `holdMs`.
 */
async function scriptedRelay(o: { answerBody?: (n: number) => string | undefined; answer?: (line: string) => string | undefined; hangUpAfterBody?: (n: number) => boolean; holdMs?: number }): Promise<ScriptedRelay> {
  const relay = { log: [] as string[], joined: 0, answeredAlone: 0, connections: 0 };
  let bodies = 0;
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    relay.connections++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    let input = '';
    let inData = false;
    let held: { reply: string; hangUp: boolean; timer: NodeJS.Timeout } | undefined;
    const reply = (text: string) => {
      relay.log.push(`> ${text.trim()}`);
      socket.write(text);
    };
    const release = (alone: boolean) => {
      if (!held) return;
      clearTimeout(held.timer);
      if (alone) relay.answeredAlone++;
      const { reply: text, hangUp } = held;
      held = undefined;
      reply(text);
      if (hangUp) socket.end();
    };
    socket.write('220 scripted.example.net ESMTP\r\n');
    socket.on('data', (chunk: Buffer) => {
      input += chunk.toString('latin1');
      let endedBodyInChunk = false;
      for (;;) {
        if (inData) {
          const end = input.indexOf('\r\n.\r\n');
          if (end < 0) return;
          input = input.slice(end + 5);
          inData = false;
          bodies++;
          endedBodyInChunk = true;
          relay.log.push(`<body ${bodies}>`);
          const n = bodies;
          held = { reply: o.answerBody?.(n) ?? '250 2.0.0 queued\r\n', hangUp: o.hangUpAfterBody?.(n) ?? false, timer: setTimeout(() => release(true), o.holdMs ?? 1_000) };
          continue;
        }
        const eol = input.indexOf('\r\n');
        if (eol < 0) return;
        const line = input.slice(0, eol);
        input = input.slice(eol + 2);
        relay.log.push(line);
        const verb = line.split(/[ :]/)[0]!.toUpperCase();
        if (verb === 'MAIL' && endedBodyInChunk) relay.joined++;
        // A command after a body: the body's answer goes first, replies being in order.
        if (held) {
          const hangUp = held.hangUp;
          release(false);
          if (hangUp) return;
        }
        const given = o.answer?.(line);
        const usual = verb === 'EHLO' ? '250-scripted.example.net\r\n250-PIPELINING\r\n250 SIZE 1000000\r\n' : verb === 'DATA' ? '354 go ahead\r\n' : verb === 'QUIT' ? '221 bye\r\n' : '250 ok\r\n';
        const text = given ?? usual;
        reply(text);
        if (verb === 'DATA' && text.startsWith('354')) {
          inData = true;
          // The CRLF that ended the DATA line opens the content: a lone ".\r\n" ends an empty message.
          input = `\r\n${input}`;
        }
        if (verb === 'QUIT') socket.end();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return Object.assign(relay, {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  });
}

function message(n: number): OutgoingMessage {
  return { from: 'bounces+1-1@example.org', to: `reader${n}@example.net`, raw: Buffer.from(`Subject: ${n}\r\n\r\nmessage ${n}\r\n`), messageId: `${n}@example.org` };
}

function summary(r: SubmitResult): string {
  return r.ok ? `ok ${r.code}` : `${r.code ?? 'no code'} ${r.command ?? ''}`.trim();
}

test('the next envelope leaves with the previous body, and each reply is taken by the command it answers', async () => {
  let refusedRcpt = false;
  const relay = await scriptedRelay({
    holdMs: 300,
    answerBody: (n) => (n === 1 ? '451 4.3.0 try again later\r\n' : undefined),
    answer: (line) => {
      if (line === 'RCPT TO:<reader2@example.net>') {
        refusedRcpt = true;
        return '550 5.1.1 <reader2@example.net>: unknown\r\n';
      }
      if (line !== 'DATA' || !refusedRcpt) return undefined;
      refusedRcpt = false;
      return '554 5.5.1 no valid recipients\r\n';
    },
  });
  const transport = smtpPool([`smtp://127.0.0.1:${relay.port}?pool=1`], { clock: systemClock });
  try {
    const results = await Promise.all([1, 2, 3, 4].map((n) => transport.submit(message(n))));
    // The first body's 451 is its own; the second's refused RCPT its own (no body sent); the others go.
    assert.deepEqual(results.map(summary), ['451 DATA', '550 RCPT TO', 'ok 250', 'ok 250']);
    assert.equal(relay.connections, 1);
    assert.equal(relay.answeredAlone, 1, 'only the last body was answered before anything followed it');
    // Message 2 followed body 1 in the same write; message 4 followed body 3 (3 itself came after an RSET).
    assert.equal(relay.joined, 2);
    assert.deepEqual(
      relay.log.filter((l) => /^(MAIL|RCPT|RSET|<body)/.test(l)),
      ['MAIL FROM:<bounces+1-1@example.org> SIZE=25', 'RCPT TO:<reader1@example.net>', '<body 1>', 'MAIL FROM:<bounces+1-1@example.org> SIZE=25', 'RCPT TO:<reader2@example.net>', 'RSET', 'MAIL FROM:<bounces+1-1@example.org> SIZE=25', 'RCPT TO:<reader3@example.net>', '<body 2>', 'MAIL FROM:<bounces+1-1@example.org> SIZE=25', 'RCPT TO:<reader4@example.net>', '<body 3>'],
    );
  } finally {
    await transport.close();
    await relay.close();
  }
});

test('a 421 to a body whose successor’s envelope is already written: the first is a 421, the second a lost connection before its body, the third a new connection', async () => {
  const relay = await scriptedRelay({ answerBody: (n) => (n === 1 ? '421 4.3.2 shutting down\r\n' : undefined), hangUpAfterBody: (n) => n === 1 });
  const transport = smtpPool([`smtp://127.0.0.1:${relay.port}?pool=1`], { clock: systemClock });
  try {
    const results = await Promise.all([1, 2].map((n) => transport.submit(message(n))));
    assert.deepEqual(results.map(summary), ['421 DATA', 'no code MAIL FROM']);
    assert.equal(relay.joined, 1);
    const third = await transport.submit(message(3));
    assert.equal(summary(third), 'ok 250');
    assert.equal(relay.connections, 2);
    // Two bodies only: the second message's never left (it is retried as any lost connection).
    assert.equal(relay.log.filter((l) => l.startsWith('<body')).length, 2);
  } finally {
    await transport.close();
    await relay.close();
  }
});

test('a session closed while the answer to a written body is due says QUIT only after that answer, which the message gets', async () => {
  const relay = await scriptedRelay({ holdMs: 200 });
  const session = await SmtpSession.open({ host: '127.0.0.1', port: relay.port, secure: false, rejectUnauthorized: false });
  try {
    // Handed on to nobody, and closed at once: the pool's close() of a session left idle with an answer due.
    const reply = await session.send({ from: 'bounces+1-1@example.org', to: 'reader1@example.net' }, message(1).raw, undefined, () => {
      queueMicrotask(() => session.close());
      return true;
    });
    assert.equal(reply.code, 250);
    for (let i = 0; i < 100 && !relay.log.includes('QUIT'); i++) await new Promise((resolve) => setTimeout(resolve, 10));
    const tail = relay.log.slice(relay.log.indexOf('<body 1>'));
    assert.deepEqual(tail, ['<body 1>', '> 250 2.0.0 queued', 'QUIT', '> 221 bye']);
  } finally {
    session.destroy();
    await relay.close();
  }
});

test('without PIPELINING the next envelope waits for the answer to the body', async () => {
  const relay = await scriptedRelay({ holdMs: 50, answer: (line) => (line.startsWith('EHLO') ? '250-plain.example.net\r\n250 SIZE 1000000\r\n' : undefined) });
  const transport = smtpPool([`smtp://127.0.0.1:${relay.port}?pool=1`], { clock: systemClock });
  try {
    const results = await Promise.all([1, 2].map((n) => transport.submit(message(n))));
    assert.deepEqual(results.map(summary), ['ok 250', 'ok 250']);
    assert.equal(relay.joined, 0);
    assert.equal(relay.answeredAlone, 2);
  } finally {
    await transport.close();
    await relay.close();
  }
});
