// The bytes SmtpSession reads and writes: a reply is read whole however the
// relay cuts it into packets (one byte at a time included), a line starting
// with a dot is doubled and the message ends with CRLF.CRLF, and what a real
// relay (smtp-server) stores once it undid the dot-stuffing is our message
// byte for byte, whether it came as one buffer or as spliced pieces.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ReplyReader, SmtpSession, dotStuffed } from '../../src/delivery/smtp-client.ts';
import { ConstantPiece, SplicedMessage } from '../../src/delivery/message-bytes.ts';
import { startSmtpSink } from './newsroom-fixture.ts';
import { seeded } from '../helpers/seeded-random.ts';
import { client, envelope, rawRelay } from './smtp-client-fixture.ts';

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

// ---------------------------------------------------------------------------
// Against the raw relay (smtp-client-fixture.ts), which can write its replies byte by byte.

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
