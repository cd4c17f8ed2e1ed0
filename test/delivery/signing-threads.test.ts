// The signing threads (signing-threads.ts) compute the very signatures the
// event loop computes, so that a message built with them is the message
// built and signed on the loop (splice.ts); a thread that ends fails only
// the signatures in flight, and threads that cannot start leave the signing
// to libuv's thread pool.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dkimVerify } from 'mailauth/lib/dkim/verify.js';
import { audienceLinks } from '../../src/delivery/audience-links.ts';
import { DkimSigner } from '../../src/delivery/dkim.ts';
import { messageBuilder, type MessageRecipient } from '../../src/delivery/message-builder.ts';
import { wholeMessage } from '../../src/delivery/message-bytes.ts';
import { buildMessageTemplate } from '../../src/delivery/message-template.ts';
import { recipientValues } from '../../src/delivery/recipient-values.ts';
import { SigningThreads } from '../../src/delivery/signing-threads.ts';
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
  const threads = new SigningThreads({ size, logger, timeoutMs });
  return { threads, builder: messageBuilder(links, MAIL_DOMAIN, threads), links, logger };
}

async function signedMessage(subject?: string, key = dkimKey().dkim) {
  const { content, publication } = await sampleContent();
  return compileMessage(buildMessageTemplate(subject ? { ...content, subject } : content, sampleSettings(publication)), new DkimSigner(key));
}

test('messages signed on the threads are the bytes signed on the event loop, and their signatures verify', { timeout: 60_000 }, async () => {
  const { txt } = dkimKey();
  const first = await signedMessage();
  const second = await signedMessage('Un autre sujet');
  const { threads, builder, links } = pool(2);
  try {
    // Many at once (one turn: coalesced), two messages interleaved.
    const ns = Array.from({ length: 60 }, (_, i) => i + 1);
    const built = (await Promise.all(ns.map((n) => builder.build(n % 2 ? first : second, recipient(n, n % 2 ? 7 : 8), NOW)))).map(wholeMessage);
    assert.equal(threads.workers.length, 2);
    assert.equal(threads.stats.signatures, 60);
    assert.ok(threads.stats.requests <= 4, `the sixty went in a few requests (${threads.stats.requests})`);
    for (const [i, raw] of built.entries()) {
      const n = ns[i]!;
      const expected = spliceMessage(n % 2 ? first : second, recipientValues(links, recipient(n, n % 2 ? 7 : 8), MAIL_DOMAIN, NOW), NOW);
      assert.ok(raw.equals(expected), `message ${n} is the one signed on the loop`);
    }
    const resolver = async (name: string, type: string) => {
      if (type === 'TXT' && name === 'matin._domainkey.example.org') return [[txt]];
      throw Object.assign(new Error(`no ${type} ${name}`), { code: 'ENOTFOUND' });
    };
    for (const raw of [built[0]!, built[59]!]) {
      const r = (await dkimVerify(raw, { resolver, curTime: new Date(NOW) })).results[0]!;
      assert.equal(r.status.result, 'pass', JSON.stringify(r.status));
    }
    // One at a time too (a later turn, the key already there).
    const again = wholeMessage(await builder.build(first, recipient(3), NOW));
    assert.ok(again.equals(built[2]!));
  } finally {
    await threads.close();
  }
});

test('two keys on one thread each sign their own messages; unsigned messages never reach a thread', { timeout: 60_000 }, async () => {
  const other = { domain: 'example.com', selector: 'soir', privateKey: dkimKey().dkim.privateKey };
  const mine = await signedMessage();
  const theirs = await signedMessage(undefined, other);
  const { content, publication } = await sampleContent();
  const plain = compileMessage(buildMessageTemplate(content, sampleSettings(publication)));
  const { threads, builder, links } = pool(1);
  try {
    const [a, b] = (await Promise.all([builder.build(mine, recipient(1), NOW), builder.build(theirs, recipient(2), NOW)])).map(wholeMessage);
    assert.match(a!.toString('latin1'), /^DKIM-Signature: [^]*? d=example\.org; s=matin;/);
    assert.match(b!.toString('latin1'), /^DKIM-Signature: [^]*? d=example\.com; s=soir;/);
    assert.ok(b!.equals(spliceMessage(theirs, recipientValues(links, recipient(2), MAIL_DOMAIN, NOW), NOW)));
    const unsigned = wholeMessage(await builder.build(plain, recipient(4), NOW));
    assert.ok(unsigned.equals(spliceMessage(plain, recipientValues(links, recipient(4), MAIL_DOMAIN, NOW), NOW)));
    assert.equal(threads.stats.signatures, 2, 'the unsigned message did not go to a thread');
  } finally {
    await threads.close();
  }
});

test('a recipient whose message cannot be built fails alone, before any thread is asked', { timeout: 60_000 }, async () => {
  const signed = await signedMessage();
  const { threads, builder } = pool(1);
  try {
    const results = await Promise.allSettled([1, 2, 3].map((n) => builder.build(signed, n === 2 ? { ...recipient(n), email: 'a@example.net\r\nBcc: x@example.net' } : recipient(n), NOW)));
    assert.deepEqual(results.map((r) => r.status), ['fulfilled', 'rejected', 'fulfilled']);
    assert.match(String((results[1] as PromiseRejectedResult).reason), /line break/);
    assert.equal(threads.stats.signatures, 2);
  } finally {
    await threads.close();
  }
});

test('a thread that ends fails its messages in flight, logs one line without the key, and another takes its place', { timeout: 60_000 }, async () => {
  const signed = await signedMessage();
  const { threads, builder, links, logger } = pool(1);
  try {
    await builder.build(signed, recipient(1), NOW);
    const first = threads.workers[0]!;
    const inFlight = Array.from({ length: 40 }, (_, i) => builder.build(signed, recipient(i + 1), NOW));
    // The request is posted after this turn's poll phase; the thread is ended right after, as a crash would end it.
    await new Promise((resolve) => setImmediate(resolve));
    await first.terminate();
    const settled = await Promise.allSettled(inFlight);
    const failed = settled.filter((r) => r.status === 'rejected');
    assert.ok(failed.length > 0, 'messages were in flight');
    for (const r of failed) assert.match(String(r.reason), /the signing thread ended/);
    const ended = logger.lines.filter((l) => l.msg.startsWith('signing thread ended'));
    assert.equal(ended.length, 1, 'one line');
    assert.equal(ended[0]!.level, 'error');
    assert.ok(!JSON.stringify(logger.lines).includes('PRIVATE KEY'), 'no key in the log');
    // The next message starts another thread, which gets the key anew.
    const again = await builder.build(signed, recipient(7), NOW);
    assert.ok(wholeMessage(again).equals(spliceMessage(signed, recipientValues(links, recipient(7), MAIL_DOMAIN, NOW), NOW)));
    assert.equal(threads.workers.length, 1);
    assert.notEqual(threads.workers[0]!.threadId, first.threadId);
  } finally {
    await threads.close();
  }
});

test("threads that cannot start, three in a row, leave the signing to libuv's thread pool", { timeout: 60_000 }, async () => {
  const signed = await signedMessage();
  const { threads, builder, links, logger } = pool(1);
  try {
    for (let i = 0; i < 3; i++) {
      const attempt = builder.build(signed, recipient(1), NOW);
      // Ended before it could load, as a thread whose module is missing ends.
      await new Promise((resolve) => setImmediate(resolve));
      await threads.workers[0]!.terminate();
      await assert.rejects(attempt, /the signing thread ended/);
    }
    assert.match(logger.lines.at(-1)!.msg, /signed on libuv's thread pool from now on/);
    const raw = await builder.build(signed, recipient(2), NOW);
    assert.ok(wholeMessage(raw).equals(spliceMessage(signed, recipientValues(links, recipient(2), MAIL_DOMAIN, NOW), NOW)));
    assert.equal(threads.workers.length, 0, 'no thread started again');
  } finally {
    await threads.close();
  }
});

test('a thread that gives no answer in time is ended like one that crashed, and its messages fail', { timeout: 60_000 }, async () => {
  const signed = await signedMessage();
  // 5 ms: less than loading a thread, let alone signing forty messages.
  const { threads, builder, logger } = pool(1, 5);
  try {
    const settled = await Promise.allSettled(Array.from({ length: 40 }, (_, i) => builder.build(signed, recipient(i + 1), NOW)));
    assert.ok(settled.every((r) => r.status === 'rejected' && /the signing thread ended \(no answer in 5 ms\)/.test(String(r.reason))));
    assert.equal(logger.lines.filter((l) => l.msg.startsWith('signing thread ended')).length, 1);
  } finally {
    await threads.close();
  }
});

test('closing the pool fails what still waits and ends the threads; a later message starts them again', { timeout: 60_000 }, async () => {
  const signed = await signedMessage();
  const { threads, builder } = pool(1);
  await builder.build(signed, recipient(1), NOW);
  const waiting = assert.rejects(builder.build(signed, recipient(2), NOW), /the signing threads were closed/);
  await builder.close();
  await waiting;
  assert.equal(threads.workers.length, 0);
  try {
    assert.ok(wholeMessage(await builder.build(signed, recipient(3), NOW)).length > 0);
    assert.equal(threads.workers.length, 1);
  } finally {
    await threads.close();
  }
});
