// The message threads (message-threads.ts) build the very bytes the event
// loop builds (recipient-values.ts + splice.ts), signatures included, and a
// thread that ends fails only its messages in flight.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dkimVerify } from 'mailauth/lib/dkim/verify.js';
import { audienceLinks } from '../../src/delivery/audience-links.ts';
import { DkimSigner } from '../../src/delivery/dkim.ts';
import { loopBuilder, type MessageRecipient } from '../../src/delivery/message-builder.ts';
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

function pool(size: number) {
  const clock = { now: () => NOW };
  const links = audienceLinks({ secret: SECRET, publicUrl: PUBLIC_URL, mailDomain: MAIL_DOMAIN, clock });
  const logger = memoryLogger();
  const threads = new MessageThreads({ size, secret: SECRET, publicUrl: PUBLIC_URL, mailDomain: MAIL_DOMAIN, logger, fallback: loopBuilder(links, MAIL_DOMAIN) });
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
    const built = await Promise.all(ns.map((n) => threads.build(n % 2 ? first : second, recipient(n, n % 2 ? 7 : 8), NOW)));
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
    const again = await threads.build(first, recipient(3), NOW);
    assert.ok(again.equals(built[2]!));
  } finally {
    await threads.close();
  }
});
