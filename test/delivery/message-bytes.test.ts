// A message as its spliced pieces (message-bytes.ts): the bytes on the wire
// are those of the same message in one Buffer, however it is cut, and the
// template's stretches are written as they are, never copied.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConstantPiece, SplicedMessage, dotStuffed, wholeMessage } from '../../src/delivery/message-bytes.ts';
import { buildMessageTemplate } from '../../src/delivery/message-template.ts';
import { compileMessage, spliceMessage, spliceMessageOffThread, type RecipientValues } from '../../src/delivery/splice.ts';
import { sampleContent, sampleSettings } from './message-fixture.ts';
import { seeded } from '../helpers/seeded-random.ts';

const wire = (raw: Buffer | SplicedMessage) => Buffer.concat(dotStuffed(raw)).toString('latin1');

/** `text` cut at random places into constant stretches and plain Buffers. */
function cut(text: string, random: () => number): SplicedMessage {
  const bytes = Buffer.from(text, 'latin1');
  const pieces: Array<ConstantPiece | Buffer> = [];
  for (let at = 0; at < bytes.length; ) {
    const end = Math.min(bytes.length, at + 1 + Math.floor(random() * 12));
    const slice = Buffer.from(bytes.subarray(at, end));
    pieces.push(random() < 0.5 ? new ConstantPiece(slice) : slice);
    // An empty piece now and then: it must change nothing.
    if (random() < 0.1) pieces.push(random() < 0.5 ? new ConstantPiece(Buffer.alloc(0)) : Buffer.alloc(0));
    at = end;
  }
  return new SplicedMessage(pieces, bytes.length, false);
}

test('the DATA of a message in pieces is the DATA of the same message in one Buffer, wherever it is cut', () => {
  const random = seeded(4242);
  const texts = ['.first\r\n..second\r\nthird\r\n.\r\n', 'bare\n.lf\r\n', 'no final line break', 'ends with a lone dot\r\n.', '.', '', 'x\r', '\r\n', '\n.'];
  // And random lines of dots, CR and LF, where every boundary case comes up.
  for (let i = 0; i < 300; i++) {
    let t = '';
    for (let j = 0, n = Math.floor(random() * 60); j < n; j++) t += '..\r\nab'[Math.floor(random() * 6)];
    texts.push(t);
  }
  for (const text of texts) {
    const whole = wire(Buffer.from(text, 'latin1'));
    for (let k = 0; k < 20; k++) {
      const pieces = cut(text, random);
      assert.equal(wire(pieces), whole, JSON.stringify(text));
      assert.equal(pieces.toBuffer().toString('latin1'), text);
    }
  }
  assert.equal(wire(new SplicedMessage([new ConstantPiece(Buffer.from('a\r\n')), new ConstantPiece(Buffer.from('.b\r\n'))], 7, false)), 'a\r\n..b\r\n.\r\n');
  assert.equal(wire(new SplicedMessage([Buffer.from('a'), new ConstantPiece(Buffer.from('.b\r'))], 4, false)), 'a.b\r\r\n.\r\n');
});

test('a spliced message is written in a few pieces, the template\'s long stretches the same Buffers for every recipient, and reads as the joined message', async () => {
  const { content, publication } = await sampleContent();
  const compiled = compileMessage(buildMessageTemplate(content, sampleSettings(publication)));
  const values = (n: number): RecipientValues => ({
    to: `lecteur${n}@example.net`,
    recipient: `lecteur${n}@example.net`,
    messageId: `7.${n}.matinale@example.org`,
    date: 'Mon, 02 Mar 2026 05:00:00 +0000',
    unsubscribeUrl: `https://techmatin.example.org/unsubscribe/${'u'.repeat(43)}${n}`,
    preferencesUrl: `https://techmatin.example.org/preferences/${'p'.repeat(43)}${n}`,
    unsubscribeMailto: `mailto:unsubscribe+${'m'.repeat(52)}${n}@example.org?subject=unsubscribe`,
  });
  const now = Date.parse('2026-03-02T05:00:00Z');
  const [a, b] = await Promise.all([spliceMessageOffThread(compiled, values(1), now), spliceMessageOffThread(compiled, values(2), now)]);
  const shared = a.pieces.filter((p) => p instanceof ConstantPiece);
  // The text part's opening and most of the HTML part; the short stretches between values go with them.
  assert.equal(shared.length, 2);
  assert.ok(a.pieces.length <= 6, `${a.pieces.length} pieces, each a write`);
  assert.deepEqual(
    shared,
    b.pieces.filter((p) => p instanceof ConstantPiece),
    'the same stretches',
  );
  for (const [i, p] of a.pieces.entries()) if (p instanceof ConstantPiece) assert.equal(p, b.pieces[i], 'the very same object');
  const constantBytes = shared.reduce((n, p) => n + p.bytes.length, 0);
  assert.ok(constantBytes > 0.9 * a.length, `the recipient's own bytes are few (${a.length - constantBytes} of ${a.length})`);
  // The wire slices of a stretch are views of the template's Buffer, not copies.
  const body = dotStuffed(a);
  const big = shared.reduce((x, p) => (p.bytes.length > x.bytes.length ? p : x));
  assert.ok(body.some((s) => s.buffer === big.bytes.buffer && s.byteOffset === big.bytes.byteOffset));
  assert.ok(wholeMessage(a).equals(spliceMessage(compiled, values(1), now)));
  assert.equal(a.length, wholeMessage(a).length);
  assert.equal(a.utf8Headers, false);
});

test('a UTF-8 address in a header is known from the template and the values, without reading the message again', async () => {
  const { content, publication } = await sampleContent();
  const ascii = compileMessage(buildMessageTemplate(content, sampleSettings(publication)));
  const utf8From = compileMessage(buildMessageTemplate(content, { ...sampleSettings(publication), from: 'Tech Matin <rédaction@example.org>' }));
  const now = Date.parse('2026-03-02T05:00:00Z');
  const v = (to: string): RecipientValues => ({ to, recipient: to, messageId: '7.1.matinale@example.org', date: 'Mon, 02 Mar 2026 05:00:00 +0000', unsubscribeUrl: 'https://x.example/u', preferencesUrl: 'https://x.example/p', unsubscribeMailto: 'mailto:u@example.org' });
  assert.equal((await spliceMessageOffThread(ascii, v('zoe@example.net'), now)).utf8Headers, false);
  assert.equal((await spliceMessageOffThread(ascii, v('zoé@example.net'), now)).utf8Headers, true);
  assert.equal((await spliceMessageOffThread(utf8From, v('zoe@example.net'), now)).utf8Headers, true);
});
