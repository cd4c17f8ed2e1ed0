// The message threads (message-threads.ts) build the very bytes the event
// loop builds (recipient-values.ts + splice.ts), signatures included, and a
// thread that ends fails only its messages in flight.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dkimVerify } from 'mailauth/lib/dkim/verify.js';
import { audienceLinks } from '../../src/delivery/audience-links.ts';
import { DkimSigner } from '../../src/delivery/dkim.ts';
import { loopBuilder, type MessageRecipient } from '../../src/delivery/message-builder.ts';
import { wholeMessage } from '../../src/delivery/message-bytes.ts';
import { buildMessageTemplate } from '../../src/delivery/message-template.ts';
import { MessageThreads } from '../../src/delivery/message-threads.ts';
import { recipientValues } from '../../src/delivery/recipient-values.ts';
import { compileMessage, spliceMessage } from '../../src/delivery/splice.ts';
import { dkimKey, PUBLIC_URL, sampleContent, sampleSettings } from './message-fixture.ts';
import { memoryLogger, SECRET } from './newsroom-fixture.ts';

const NOW = Date.parse('2026-03-02T05:00:00Z');
const MAIL_DOMAIN = 'example.org';

function recipient(n: number, sendId = 7): MessageRecipient {
  return { sendId, recipientId: n, publicationId: 1, subscriberId: n % 5 === 0 ? null : 1000 + n, email: `lecteur${n}@example.net` };
}

function pool(size: number, timeoutMs?: number) {
  const clock = { now: () => NOW };
  const links = audienceLinks({ secret: SECRET, publicUrl: PUBLIC_URL, mailDomain: MAIL_DOMAIN, clock });
  const logger = memoryLogger();
  const threads = new MessageThreads({ size, secret: SECRET, publicUrl: PUBLIC_URL, mailDomain: MAIL_DOMAIN, logger, fallback: loopBuilder(links, MAIL_DOMAIN), timeoutMs });
  return { threads, links, logger };
}

test('messages built on the threads are the bytes built on the event loop, and their signatures verify', { timeout: 60_000 }, async () => {
  const { content, publication } = await sampleContent();
  const { dkim, txt } = dkimKey();
  const signer = new DkimSigner(dkim);
  const first = compileMessage(buildMessageTemplate(content, sampleSettings(publication)), signer);
  const second = compileMessage(buildMessageTemplate({ ...content, subject: 'Un autre sujet' }, sampleSettings(publication)), signer);
  const { threads, links } = pool(2);
  try {
    // Many at once (one turn: coalesced), two templates interleaved.
    const ns = Array.from({ length: 60 }, (_, i) => i + 1);
    const built = (await Promise.all(ns.map((n) => threads.build(n % 2 ? first : second, recipient(n, n % 2 ? 7 : 8), NOW)))).map(wholeMessage);
    assert.equal(threads.workers.length, 2);
    for (const [i, raw] of built.entries()) {
      const n = ns[i]!;
      const message = n % 2 ? first : second;
      const r = recipient(n, n % 2 ? 7 : 8);
      const expected = spliceMessage(message, recipientValues(links, r, MAIL_DOMAIN, NOW), NOW);
      assert.ok(raw.equals(expected), `message ${n} is the one built on the loop`);
    }
    const resolver = async (name: string, type: string) => {
      if (type === 'TXT' && name === 'matin._domainkey.example.org') return [[txt]];
      throw Object.assign(new Error(`no ${type} ${name}`), { code: 'ENOTFOUND' });
    };
    for (const raw of [built[0]!, built[59]!]) {
      const r = (await dkimVerify(raw, { resolver, curTime: new Date(NOW) })).results[0]!;
      assert.equal(r.status.result, 'pass', JSON.stringify(r.status));
    }
    // One at a time too (a later turn, templates already there).
    const again = wholeMessage(await threads.build(first, recipient(3), NOW));
    assert.ok(again.equals(built[2]!));
  } finally {
    await threads.close();
  }
});

test('a recipient whose message cannot be built fails alone; unsigned messages are built on the loop', { timeout: 60_000 }, async () => {
  const { content, publication } = await sampleContent();
  const signed = compileMessage(buildMessageTemplate(content, sampleSettings(publication)), new DkimSigner(dkimKey().dkim));
  const plain = compileMessage(buildMessageTemplate(content, sampleSettings(publication)));
  const { threads, links } = pool(1);
  try {
    const results = await Promise.allSettled([1, 2, 3].map((n) => threads.build(signed, n === 2 ? { ...recipient(n), email: 'a@example.net\r\nBcc: x@example.net' } : recipient(n), NOW)));
    assert.equal(results[0]!.status, 'fulfilled');
    assert.equal(results[2]!.status, 'fulfilled');
    assert.equal(results[1]!.status, 'rejected');
    assert.match(String((results[1] as PromiseRejectedResult).reason), /line break/);
    assert.equal(threads.stats.messages, 3);
    // No signature to compute: the hand-over would cost more than the splice.
    const unsigned = await threads.build(plain, recipient(4), NOW);
    assert.ok(wholeMessage(unsigned).equals(spliceMessage(plain, recipientValues(links, recipient(4), MAIL_DOMAIN, NOW), NOW)));
    assert.equal(threads.stats.messages, 3, 'the unsigned message did not go to a thread');
  } finally {
    await threads.close();
  }
});

test('a thread that ends fails its messages in flight, logs one line, and another takes its place', { timeout: 60_000 }, async () => {
  const { content, publication } = await sampleContent();
  const signed = compileMessage(buildMessageTemplate(content, sampleSettings(publication)), new DkimSigner(dkimKey().dkim));
  const { threads, links, logger } = pool(1);
  try {
    await threads.build(signed, recipient(1), NOW);
    const first = threads.workers[0]!;
    const ns = Array.from({ length: 40 }, (_, i) => i + 1);
    const inFlight = ns.map((n) => threads.build(signed, recipient(n), NOW));
    // The requests are posted after this turn's poll phase; the thread is ended right after, as a crash would end it.
    await new Promise((resolve) => setImmediate(resolve));
    await first.terminate();
    const settled = await Promise.allSettled(inFlight);
    const failed = settled.filter((r) => r.status === 'rejected');
    assert.ok(failed.length > 0, 'messages were in flight');
    for (const r of failed) assert.match(String(r.reason), /the message thread ended/);
    const ended = logger.lines.filter((l) => l.msg.startsWith('message thread ended'));
    assert.equal(ended.length, 1, 'one line');
    assert.equal(ended[0]!.level, 'error');
    assert.ok(!JSON.stringify(logger.lines).includes(SECRET), 'no secret in the log');
    // The next message starts another thread, which gets the key and template anew.
    const again = await threads.build(signed, recipient(7), NOW);
    assert.ok(wholeMessage(again).equals(spliceMessage(signed, recipientValues(links, recipient(7), MAIL_DOMAIN, NOW), NOW)));
    assert.equal(threads.workers.length, 1);
    assert.notEqual(threads.workers[0]!.threadId, first.threadId);
  } finally {
    await threads.close();
  }
});

test('threads that cannot start, three in a row, leave the building to the event loop', { timeout: 60_000 }, async () => {
  const { content, publication } = await sampleContent();
  const signed = compileMessage(buildMessageTemplate(content, sampleSettings(publication)), new DkimSigner(dkimKey().dkim));
  const { threads, links, logger } = pool(1);
  try {
    for (let i = 0; i < 3; i++) {
      const attempt = threads.build(signed, recipient(1), NOW);
      // Ended before it could load, as a thread whose module is missing ends.
      await new Promise((resolve) => setImmediate(resolve));
      await threads.workers[0]!.terminate();
      await assert.rejects(attempt, /the message thread ended/);
    }
    assert.match(logger.lines.at(-1)!.msg, /built on the event loop from now on/);
    const raw = await threads.build(signed, recipient(2), NOW);
    assert.ok(wholeMessage(raw).equals(spliceMessage(signed, recipientValues(links, recipient(2), MAIL_DOMAIN, NOW), NOW)));
    assert.equal(threads.workers.length, 0, 'no thread started again');
  } finally {
    await threads.close();
  }
});

test('a thread that gives no answer in time is ended like one that crashed, and its messages fail', { timeout: 60_000 }, async () => {
  const { content, publication } = await sampleContent();
  const signed = compileMessage(buildMessageTemplate(content, sampleSettings(publication)), new DkimSigner(dkimKey().dkim));
  // 5 ms: less than loading a thread, let alone building forty signed messages.
  const { threads, logger } = pool(1, 5);
  try {
    const settled = await Promise.allSettled(Array.from({ length: 40 }, (_, i) => threads.build(signed, recipient(i + 1), NOW)));
    assert.ok(settled.every((r) => r.status === 'rejected' && /the message thread ended \(no answer in 5 ms\)/.test(String(r.reason))));
    assert.equal(logger.lines.filter((l) => l.msg.startsWith('message thread ended')).length, 1);
  } finally {
    await threads.close();
  }
});
