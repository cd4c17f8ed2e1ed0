import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { networkInterfaces } from 'node:os';
import { ReplyReader, SmtpSession, dotStuffed, isLoopback, type SmtpClientOptions, type SmtpError } from '../../src/delivery/smtp-client.ts';
import { ConstantPiece, SplicedMessage } from '../../src/delivery/message-bytes.ts';
import { startSmtpSink } from './newsroom-fixture.ts';
import { seeded } from '../helpers/seeded-random.ts';

const envelope = { from: 'bounces+1-1@example.org', to: 'reader@example.net' };

function client(port: number, extra: Partial<SmtpClientOptions> = {}): SmtpClientOptions {
  return { host: '127.0.0.1', port, secure: false, rejectUnauthorized: false, ...extra };
}

/** What a rejected promise rejected with. */
async function rejection(p: Promise<unknown>): Promise<SmtpError> {
  try {
    await p;
  } catch (err) {
    return err as SmtpError;
  }
  assert.fail('expected a rejection');
}

// ---------------------------------------------------------------------------
// A raw relay over `net`, for exact control of what the client sees: how the
// replies are cut into writes, what each command is answered, when to hang up.

interface RawRelayOptions {
  greeting?: string;
  ehlo?: string;
  /** Each reply written one byte at a time, each byte its own write. */
  byteByByte?: boolean;
  /** Answer to one command line, or undefined for the default. */
  answer?: (command: string) => string | undefined;
  /** Answer to the end of DATA; undefined for 250. */
  answerData?: (body: Buffer) => string | undefined;
  /** Called with the DATA bytes as they arrive, to misbehave mid-DATA. */
  onDataChunk?: (socket: Socket) => void;
  /** The address to listen on; 127.0.0.1 by default. */
  host?: string;
  /** After answering this command, read nothing more and say nothing more (the connection stays open). */
  muteAfter?: string;
}

interface RawRelay {
  port: number;
  /** Every command line, in order. */
  commands: string[];
  /** The command lines of each TCP chunk received in command mode. */
  batches: string[][];
  /** The DATA bytes of each message as sent (still dot-stuffed), without the terminator's final ".\r\n". */
  bodies: Buffer[];
  /** Client connections not yet closed. */
  openSockets(): number;
  close(): Promise<void>;
}

const PIPELINING_EHLO = '250-raw.example.net\r\n250-PIPELINING\r\n250-SIZE 1000000\r\n250 8BITMIME\r\n';

async function rawRelay(options: RawRelayOptions = {}): Promise<RawRelay> {
  const relay = { commands: [] as string[], batches: [] as string[][], bodies: [] as Buffer[] };
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    socket.setNoDelay(true);
    let data: Buffer | null = null;
    let pending = '';
    let queue = Promise.resolve();
    let mute = false;
    const send = (text: string) => {
      if (!options.byteByByte) return void socket.write(text);
      // Separate writes a millisecond apart: separate TCP segments, so the client reads partial lines.
      queue = queue.then(async () => {
        for (const byte of Buffer.from(text)) {
          if (socket.destroyed) return;
          socket.write(Buffer.from([byte]));
          await new Promise((resolve) => setTimeout(resolve, 1));
        }
      });
    };
    if (options.greeting !== '') send(options.greeting ?? '220 raw.example.net ESMTP\r\n');
    socket.on('data', (chunk: Buffer) => {
      if (mute) return;
      if (data) {
        data = Buffer.concat([data, chunk]);
        options.onDataChunk?.(socket);
        const end = data.indexOf('\r\n.\r\n');
        if (end < 0) return;
        const body = data.subarray(2, end + 2);
        relay.bodies.push(body);
        const rest = data.subarray(end + 5).toString('latin1');
        data = null;
        send(options.answerData?.(body) ?? '250 2.0.0 queued\r\n');
        if (!rest) return;
        chunk = Buffer.from(rest, 'latin1');
      }
      pending += chunk.toString('latin1');
      const lines = pending.split('\r\n');
      pending = lines.pop()!;
      relay.batches.push(lines);
      let out = '';
      for (const line of lines) {
        relay.commands.push(line);
        const given = options.answer?.(line);
        const verb = line.split(/[ :]/)[0]!.toUpperCase();
        const reply = given ?? (verb === 'EHLO' ? (options.ehlo ?? PIPELINING_EHLO) : verb === 'DATA' ? '354 go ahead\r\n' : verb === 'QUIT' ? '221 bye\r\n' : '250 ok\r\n');
        out += reply;
        // DATA's bytes start after the 354, with the CRLF that ended the DATA line, so a first line "." is seen as one.
        if (verb === 'DATA' && reply.startsWith('354')) data = Buffer.from('\r\n');
        if (line === options.muteAfter) {
          mute = true;
          break;
        }
      }
      if (out) send(out);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, options.host ?? '127.0.0.1', resolve));
  return Object.assign(relay, {
    port: (server.address() as AddressInfo).port,
    openSockets: () => sockets.size,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  });
}

// ---------------------------------------------------------------------------
// The reply reader and the dot-stuffing, alone.

test('the reply reader gives whole replies whatever the chunks: byte by byte, several in one chunk, multi-line', () => {
  const bytes = Buffer.from('220 hello\r\n250-relay\r\n250-PIPELINING\r\n250 SIZE 10\r\n354 go\r\n250\r\n');
  const expected = [
    { code: 220, lines: ['hello'], text: '220 hello' },
    { code: 250, lines: ['relay', 'PIPELINING', 'SIZE 10'], text: '250-relay\n250-PIPELINING\n250 SIZE 10' },
    { code: 354, lines: ['go'], text: '354 go' },
    { code: 250, lines: [''], text: '250' },
  ];
  const reader = new ReplyReader();
  const one = [...bytes].flatMap((b) => reader.push(Buffer.from([b])));
  assert.deepEqual(one, expected);
  assert.deepEqual(new ReplyReader().push(bytes), expected);
  // Cut in the middle of a UTF-8 character: decoded whole.
  const utf8 = Buffer.from('550 adresse refusée\r\n');
  const split = utf8.indexOf(0xc3) + 1;
  const r = new ReplyReader();
  assert.deepEqual(r.push(utf8.subarray(0, split)), []);
  assert.equal(r.push(utf8.subarray(split))[0]!.text, '550 adresse refusée');
  assert.throws(() => new ReplyReader().push(Buffer.from('HTTP/1.1 400 Bad Request\r\n')), /not an SMTP reply/);
});

test('dot-stuffing doubles a leading dot on every line, the first too, and ends with CRLF.CRLF without copying a clean message', () => {
  const stuffed = (s: string) => Buffer.concat(dotStuffed(Buffer.from(s, 'latin1'))).toString('latin1');
  assert.equal(stuffed('.first\r\nmiddle\r\n.\r\n..two\r\nlast\r\n'), '..first\r\nmiddle\r\n..\r\n...two\r\nlast\r\n.\r\n');
  assert.equal(stuffed('no final line break'), 'no final line break\r\n.\r\n');
  assert.equal(stuffed('ends with a lone dot\r\n.'), 'ends with a lone dot\r\n..\r\n.\r\n');
  assert.equal(stuffed('.'), '..\r\n.\r\n');
  assert.equal(stuffed(''), '\r\n.\r\n');
  assert.equal(stuffed('bare\n.lf\r\n'), 'bare\n..lf\r\n.\r\n');
  const clean = Buffer.from('Subject: x\r\n\r\nbody\r\n');
  const pieces = dotStuffed(clean);
  assert.equal(pieces.length, 2);
  assert.equal(pieces[0]!.buffer, clean.buffer, 'the message itself, not a copy');
});

// ---------------------------------------------------------------------------
// Against smtp-server, a real relay: what it stores is our message, byte for byte.

const TRICKY = [
  '.A first line that begins with a dot\r\nSubject: dots\r\n\r\n.\r\n..\r\n.hidden\r\n\r\n.\r\nlast line\r\n',
  'Subject: ends on a lone dot line\r\n\r\nbody\r\n.\r\n',
  'Subject: ends without a line break\r\n\r\nbody\r\n.',
  `Subject: big\r\n\r\n${Array.from({ length: 20_000 }, (_, i) => (i % 7 === 0 ? `.line ${i}` : `line ${i} ${'x'.repeat(i % 70)}`)).join('\r\n')}\r\n`,
];

test('messages reach a real relay byte for byte once it undoes the dot-stuffing, several over one session', async () => {
  const sink = await startSmtpSink();
  const session = await SmtpSession.open(client(sink.port));
  try {
    assert.ok(session.offers('PIPELINING'));
    for (const [i, text] of TRICKY.entries()) {
      const reply = await session.send({ from: envelope.from, to: `reader${i}@example.net` }, Buffer.from(text, 'latin1'));
      assert.equal(reply.code, 250);
    }
    assert.equal(sink.connections, 1);
    assert.equal(sink.received.length, TRICKY.length);
    for (const [i, text] of TRICKY.entries()) {
      // A message without a final line break gets one: DATA ends on a line of its own.
      const expected = text.endsWith('\r\n') ? text : `${text}\r\n`;
      assert.equal(sink.received[i]!.raw.toString('latin1'), expected, `message ${i}`);
      assert.deepEqual(sink.received[i]!.to, [`reader${i}@example.net`]);
      assert.equal(sink.received[i]!.from, envelope.from);
    }
  } finally {
    session.close();
    await sink.close();
  }
});

test('a message given as spliced pieces reaches a real relay as the same bytes, however its lines and dots fall across the pieces', async () => {
  const sink = await startSmtpSink();
  const session = await SmtpSession.open(client(sink.port));
  const random = seeded(1870);
  try {
    const sent: string[] = [];
    for (const text of TRICKY) {
      for (let k = 0; k < 3; k++) {
        const bytes = Buffer.from(text, 'latin1');
        const pieces: Array<ConstantPiece | Buffer> = [];
        // Cut before every dot that begins a line (that piece must get its dot from what came before it), and anywhere else: a CRLF across two pieces.
        for (let at = 0; at < bytes.length; ) {
          const dot = bytes.indexOf('\n.', at + 1);
          const end = Math.min(bytes.length, at + 1 + Math.floor(random() * (k === 2 ? 4000 : 40)), dot < 0 ? Infinity : dot + 1);
          pieces.push((pieces.length + k) % 2 ? new ConstantPiece(bytes.subarray(at, end)) : bytes.subarray(at, end));
          at = end;
        }
        const reply = await session.send({ from: envelope.from, to: `reader${sent.length}@example.net` }, new SplicedMessage(pieces, bytes.length, false));
        assert.equal(reply.code, 250);
        sent.push(text.endsWith('\r\n') ? text : `${text}\r\n`);
      }
    }
    assert.equal(sink.received.length, sent.length);
    for (const [i, expected] of sent.entries()) assert.equal(sink.received[i]!.raw.toString('latin1'), expected, `message ${i}`);
  } finally {
    session.close();
    await sink.close();
  }
});

test('STARTTLS when offered (EHLO again after it), and a certificate that does not verify is refused when asked', async () => {
  let secure = false;
  const sink = await startSmtpSink({
    server: {
      disabledCommands: ['AUTH'],
      onMailFrom(_address, session, cb) {
        secure = session.secure;
        cb();
      },
    },
  });
  try {
    const session = await SmtpSession.open(client(sink.port));
    assert.equal((await session.send(envelope, Buffer.from('Subject: tls\r\n\r\nhi\r\n'))).code, 250);
    assert.equal(secure, true);
    assert.equal(session.offers('STARTTLS'), false, 'the extensions are those of the EHLO after STARTTLS');
    session.close();
    const err = await rejection(SmtpSession.open(client(sink.port, { rejectUnauthorized: true })));
    assert.equal(err.code, 'ETLS');
    assert.equal(err.command, 'STARTTLS');
  } finally {
    await sink.close();
  }
});

test('smtps:// speaks TLS from the first byte', async () => {
  let secure = false;
  const sink = await startSmtpSink({
    server: {
      secure: true,
      onMailFrom(_address, session, cb) {
        secure = session.secure;
        cb();
      },
    },
  });
  const session = await SmtpSession.open(client(sink.port, { secure: true }));
  try {
    assert.equal((await session.send(envelope, Buffer.from('Subject: smtps\r\n\r\nhi\r\n'))).code, 250);
    assert.equal(secure, true);
    assert.equal(sink.received[0]!.raw.toString(), 'Subject: smtps\r\n\r\nhi\r\n');
  } finally {
    session.close();
    await sink.close();
  }
});

test('AUTH PLAIN, AUTH LOGIN when only it is offered, and wrong credentials are an EAUTH error that never shows the password', async () => {
  for (const methods of [['PLAIN', 'LOGIN'], ['LOGIN']]) {
    let used = '';
    const sink = await startSmtpSink({
      auth: { user: 'matinale', pass: 's3cret' },
      server: {
        authMethods: methods,
        onAuth(auth, _session, cb) {
          used = auth.method;
          if (auth.username === 'matinale' && auth.password === 's3cret') return cb(null, { user: auth.username });
          cb(new Error('Invalid username or password'));
        },
      },
    });
    try {
      const session = await SmtpSession.open(client(sink.port, { auth: { user: 'matinale', pass: 's3cret' } }));
      assert.equal((await session.send(envelope, Buffer.from('Subject: auth\r\n\r\nhi\r\n'))).code, 250);
      assert.equal(used, methods[0]);
      session.close();
      const err = await rejection(SmtpSession.open(client(sink.port, { auth: { user: 'matinale', pass: 'hunter2-wrong' } })));
      assert.equal(err.code, 'EAUTH');
      assert.equal(err.responseCode, 535);
      assert.equal(err.command, `AUTH ${methods[0]}`);
      const shown = JSON.stringify({ ...err, message: err.message, stack: err.stack });
      assert.ok(!shown.includes('hunter2') && !shown.includes(Buffer.from('hunter2-wrong').toString('base64')), shown);
    } finally {
      await sink.close();
    }
  }
});

// ---------------------------------------------------------------------------
// Against the raw relay.

test('replies that arrive one byte at a time, multi-line EHLO included, are read whole', async () => {
  const relay = await rawRelay({ byteByByte: true });
  const session = await SmtpSession.open(client(relay.port));
  try {
    assert.ok(session.offers('PIPELINING') && session.offers('SIZE') && session.offers('8BITMIME'));
    const reply = await session.send(envelope, Buffer.from('Subject: slow\r\n\r\nbody\r\n'));
    assert.deepEqual({ code: reply.code, text: reply.text }, { code: 250, text: '250 2.0.0 queued' });
    assert.equal(relay.bodies[0]!.toString(), 'Subject: slow\r\n\r\nbody\r\n');
  } finally {
    session.close();
    await relay.close();
  }
});

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

// ---------------------------------------------------------------------------
// TLS before credentials, and a handshake that never ends.

const AUTH_EHLO = '250-raw.example.net\r\n250-PIPELINING\r\n250 AUTH PLAIN LOGIN\r\n';
const STARTTLS_EHLO = '250-raw.example.net\r\n250-PIPELINING\r\n250-STARTTLS\r\n250 AUTH PLAIN LOGIN\r\n';
const credentials = { user: 'matinale', pass: 'hunter2-relay' };
const acceptAuth = (c: string) => (c.startsWith('AUTH') ? '235 2.7.0 ok\r\n' : undefined);

/** This host's address on a real interface, to stand for a relay elsewhere (its bytes are not loopback ones). */
const externalAddress = Object.values(networkInterfaces())
  .flat()
  .find((i) => i && !i.internal && i.family === 'IPv4')?.address;

function assertNoSecret(err: SmtpError): void {
  const shown = JSON.stringify({ ...err, message: err.message, stack: err.stack });
  assert.ok(!shown.includes('hunter2') && !shown.includes(Buffer.from(`\0matinale\0${credentials.pass}`).toString('base64')), shown);
}

test('loopback addresses: 127.0.0.0/8, ::1 and 127.x mapped into IPv6; nothing else', () => {
  for (const a of ['127.0.0.1', '127.10.20.30', '::1', '0:0:0:0:0:0:0:1', '::ffff:127.0.0.1']) assert.equal(isLoopback(a), true, a);
  for (const a of ['128.0.0.1', '192.0.2.2', '10.0.0.1', 'fd00::2', '::ffff:192.0.2.2', '::', 'localhost', '', undefined]) assert.equal(isLoopback(a), false, String(a));
});

test('a relay that offers STARTTLS then refuses it is an ETLS error: nothing more in clear, no AUTH, with or without credentials', async () => {
  for (const answer of ['454 4.7.0 TLS not available due to temporary reason\r\n', '554 5.7.3 not today\r\n']) {
    const relay = await rawRelay({ ehlo: STARTTLS_EHLO, answer: (c) => (c === 'STARTTLS' ? answer : acceptAuth(c)) });
    try {
      for (const auth of [credentials, undefined]) {
        const err = await rejection(SmtpSession.open(client(relay.port, auth ? { auth } : {})));
        assert.equal(err.code, 'ETLS');
        assert.equal(err.command, 'STARTTLS');
        assert.equal(err.responseCode, Number(answer.slice(0, 3)));
        assert.match(err.message, /offered STARTTLS then refused it/);
        assertNoSecret(err);
      }
      assert.deepEqual(
        relay.commands.map((c) => c.split(' ')[0]),
        ['EHLO', 'STARTTLS', 'EHLO', 'STARTTLS'],
        'nothing after the refusal, the password least of all',
      );
    } finally {
      await relay.close();
    }
  }
});

test('tls=none (plaintext): STARTTLS is not tried even when offered, and the credentials go in clear as the operator asked', async () => {
  const relay = await rawRelay({ ehlo: STARTTLS_EHLO, answer: (c) => (c === 'STARTTLS' ? '454 4.7.0 broken\r\n' : acceptAuth(c)) });
  const session = await SmtpSession.open(client(relay.port, { auth: credentials, plaintext: true }));
  try {
    assert.equal((await session.send(envelope, Buffer.from('Subject: clear\r\n\r\nx\r\n'))).code, 250);
    assert.ok(!relay.commands.includes('STARTTLS'));
    assert.match(relay.commands[1]!, /^AUTH PLAIN /);
  } finally {
    session.close();
    await relay.close();
  }
});

test('credentials go in clear to a loopback relay without STARTTLS, but not to one on another address: ETLS, and no AUTH', { skip: !externalAddress && 'no non-loopback IPv4 interface on this host' }, async () => {
  const local = await rawRelay({ ehlo: AUTH_EHLO, answer: acceptAuth });
  const remote = await rawRelay({ host: externalAddress!, ehlo: AUTH_EHLO, answer: acceptAuth });
  try {
    const session = await SmtpSession.open(client(local.port, { auth: credentials }));
    session.close();
    assert.match(local.commands[1]!, /^AUTH PLAIN /);

    const err = await rejection(SmtpSession.open(client(remote.port, { host: externalAddress!, auth: credentials })));
    assert.equal(err.code, 'ETLS');
    assert.equal(err.command, 'EHLO');
    assert.match(err.message, /does not offer STARTTLS.*tls=none/);
    assertNoSecret(err);
    assert.ok(!remote.commands.some((c) => c.startsWith('AUTH')), JSON.stringify(remote.commands));

    // Without credentials a relay without STARTTLS is still used in clear, as nodemailer did.
    const anonymous = await SmtpSession.open(client(remote.port, { host: externalAddress! }));
    assert.equal((await anonymous.send(envelope, Buffer.from('Subject: anon\r\n\r\nx\r\n'))).code, 250);
    anonymous.close();
    // And tls=none lets the operator send them in clear.
    const allowed = await SmtpSession.open(client(remote.port, { host: externalAddress!, auth: credentials, plaintext: true }));
    allowed.close();
    assert.ok(remote.commands.some((c) => c.startsWith('AUTH PLAIN ')));
  } finally {
    await local.close();
    await remote.close();
  }
});

test('a relay that says 220 to STARTTLS and then stays silent: the handshake times out with the connect timeout and the socket is closed', async () => {
  const relay = await rawRelay({ ehlo: STARTTLS_EHLO, answer: (c) => (c === 'STARTTLS' ? '220 2.0.0 go ahead\r\n' : undefined), muteAfter: 'STARTTLS' });
  let guard: NodeJS.Timeout | undefined;
  try {
    const started = Date.now();
    const hung = new Promise<never>((_, reject) => {
      guard = setTimeout(() => reject(new Error('open() still pending after 5 s')), 5_000);
    });
    const err = await rejection(Promise.race([SmtpSession.open(client(relay.port, { timeouts: { connectMs: 150 } })), hung]));
    assert.equal(err.code, 'ETIMEDOUT', err.message);
    assert.equal(err.command, 'STARTTLS');
    assert.match(err.message, /TLS handshake .* within 150 ms/);
    assert.ok(Date.now() - started < 2_000);
    for (let i = 0; i < 100 && relay.openSockets() > 0; i++) await new Promise((resolve) => setTimeout(resolve, 10));
    assert.equal(relay.openSockets(), 0, 'the client closed its connection');
  } finally {
    clearTimeout(guard);
    await relay.close();
  }
});
