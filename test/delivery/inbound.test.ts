// Mail that comes back, over real SMTP: a send goes out through a sink (so the
// ledger has `sent` rows and we hold the very messages readers got), then
// nodemailer mails the listener as a reader's mail program, a receiving
// server's bounce report or a mailbox provider's feedback loop would.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import nodemailer from 'nodemailer';
import { FakeClock } from '../../src/clock.ts';
import { AudienceKeys } from '../../src/audience/keys.ts';
import { signToken } from '../../src/audience/tokens.ts';
import { exportSubscriber } from '../../src/audience/data-rights.ts';
import { storeLedger } from '../../src/delivery/store-ledger.ts';
import { sendRecipients } from '../../src/store/sends.ts';
import { requestSend } from '../../src/delivery/sends.ts';
import { DeliveryWorker } from '../../src/delivery/worker-batch.ts';
import { deliveryParts } from '../../src/delivery/worker.ts';
import { smtpPool } from '../../src/delivery/smtp-pool.ts';
import { ReturnPaths } from '../../src/delivery/return-path.ts';
import { handleInbound, inboundDeps, type InboundResult } from '../../src/delivery/inbound-mail.ts';
import { startInboundServer, type InboundServer } from '../../src/delivery/inbound-server.ts';
import { fixtureTest, testBackends, type TestStore } from '../helpers/store.ts';
import { transactionalMessage } from '../../src/delivery/transactional-mail.ts';
import { wholeMessage } from '../../src/delivery/message-bytes.ts';
import { memoryLogger, SECRET, seedNewsroom, startSmtpSink, testConfig, type Newsroom, type ReceivedMessage } from './newsroom-fixture.ts';

const DOMAIN = 'techmatin.example.org';

interface Fixture {
  store: TestStore;
  newsroom: Newsroom;
  /** What each reader received, by address. */
  received: Map<string, ReceivedMessage>;
  sendId: number;
  server: InboundServer;
  results: InboundResult[];
  logger: ReturnType<typeof memoryLogger>;
  keys: AudienceKeys;
  /** Mails the listener; resolves with the server's answer, or the SMTP error. */
  mail(envelope: { from: string; to: string[] }, raw: string | Buffer): Promise<{ ok: boolean; code?: number; response?: string; rejected?: string[] }>;
  close(): Promise<void>;
}

async function fixture(store: TestStore): Promise<Fixture> {
  const clock = new FakeClock(Date.parse('2026-03-02T05:00:00Z'));
  const sink = await startSmtpSink();
  const newsroom = await seedNewsroom(store, 6);
  const logger = memoryLogger();
  const config = testConfig();
  const transport = smtpPool([sink.url], { clock });
  const parts = deliveryParts({ store, config, clock, transport, logger });
  const send = await requestSend(parts.sendDeps, { editionId: newsroom.editionId, createdBy: 'editor@example.org' });
  const worker = new DeliveryWorker({
    workerId: 'w1', ledger: storeLedger(store), transport, links: parts.links, clock, logger, mailDomain: parts.mailDomain,
    returnPaths: new ReturnPaths(SECRET, parts.mailDomain),
  });
  while ((await worker.runBatch()) > 0);
  await transport.close();
  await sink.close();

  const results: InboundResult[] = [];
  const deps = inboundDeps(config, store, { clock, logger });
  const server = await startInboundServer({
    listen: { host: '127.0.0.1', port: 0 },
    mailDomain: deps.mailDomain,
    logger,
    handle: async (raw, recipients) => results.push(...(await handleInbound(deps, raw, recipients))),
  });
  const client = nodemailer.createTransport({ host: '127.0.0.1', port: server.address.port, secure: false, ignoreTLS: true });
  return {
    store,
    newsroom,
    received: new Map(sink.received.map((m) => [m.to[0]!, m])),
    sendId: send.id,
    server,
    results,
    logger,
    keys: new AudienceKeys(SECRET),
    async mail(envelope, raw) {
      try {
        const info = await client.sendMail({ envelope, raw });
        return { ok: info.rejected.length === 0, response: info.response, rejected: info.rejected.map(String) };
      } catch (err) {
        const e = err as { responseCode?: number; response?: string; rejected?: string[] };
        return { ok: false, code: e.responseCode, response: e.response, rejected: e.rejected };
      }
    },
    async close() {
      client.close();
      await server.close();
      await store.dispose();
    },
  };
}

/** The state of one reader: subscription, suppression, consent log rows. */
async function stateOf(f: Fixture, email: string) {
  const id = f.newsroom.subscriberIds.get(email)!;
  const sub = await f.store.db.selectFrom('subscriptions').select('status').where('subscriber_id', '=', id).where('publication_id', '=', f.newsroom.publicationId).executeTakeFirst();
  const suppression = await f.store.db.selectFrom('suppressions').select('reason').where('email_hash', '=', f.keys.addressHash(email)).where('publication_id', '=', f.newsroom.publicationId).executeTakeFirst();
  const consent = await f.store.db.selectFrom('consent_log').select(['action', 'method']).where('subscriber_id', '=', id).execute();
  return { subscription: sub?.status, suppression: suppression?.reason, consent };
}

const tokenIn = (raw: Buffer) => /<mailto:unsubscribe\+([^@]+)@/.exec(raw.toString('utf8'))![1]!;
const headerOf = (raw: Buffer) => raw.toString('utf8').split(/\r\n\r\n/)[0]!;

function dsn(to: string, action: string, status: string, original: Buffer): string {
  return [
    'From: Mail Delivery System <MAILER-DAEMON@mx.example.net>',
    `To: ${to}`,
    'Subject: Undelivered Mail Returned to Sender',
    'Auto-Submitted: auto-replied',
    'MIME-Version: 1.0',
    'Content-Type: multipart/report; report-type=delivery-status; boundary="dsn-boundary"',
    '',
    '--dsn-boundary',
    'Content-Type: text/plain; charset=us-ascii',
    '',
    'This is the mail system at host mx.example.net. I am sorry to have to inform you...',
    '',
    '--dsn-boundary',
    'Content-Type: message/delivery-status',
    '',
    'Reporting-MTA: dns; mx.example.net',
    'Arrival-Date: Mon,  2 Mar 2026 06:00:03 +0100 (CET)',
    '',
    'Final-Recipient: rfc822; reader@example.net',
    'Original-Recipient: rfc822;reader@example.net',
    `Action: ${action}`,
    `Status: ${status}`,
    `Diagnostic-Code: smtp; ${status.startsWith('5') ? '550' : '451'} ${status} <reader@example.net>:`,
    '    Recipient address rejected: User unknown in virtual mailbox table',
    '',
    '--dsn-boundary',
    'Content-Type: text/rfc822-headers',
    '',
    headerOf(original),
    '',
    '--dsn-boundary--',
    '',
  ].join('\r\n');
}

function arf(to: string, originalHeader: string, feedbackType = 'abuse'): string {
  return [
    'From: feedback-loop@mailbox.example.com',
    `To: ${to}`,
    'Subject: complaint about message from 192.0.2.1',
    'MIME-Version: 1.0',
    'Content-Type: multipart/report; report-type=feedback-report; boundary="arf-boundary"',
    '',
    '--arf-boundary',
    'Content-Type: text/plain; charset="US-ASCII"',
    '',
    'This is an email abuse report for an email message received from IP 192.0.2.1.',
    '',
    '--arf-boundary',
    'Content-Type: message/feedback-report',
    '',
    `Feedback-Type: ${feedbackType}`,
    'User-Agent: SomeGenerator/1.0',
    'Version: 1',
    '',
    '--arf-boundary',
    'Content-Type: message/rfc822',
    'Content-Disposition: inline',
    '',
    originalHeader,
    '',
    'the body, as the provider redacted it',
    '',
    '--arf-boundary--',
    '',
  ].join('\r\n');
}

const autoReply = (to: string) =>
  [`From: reader@example.net`, `To: ${to}`, 'Subject: Out of office', 'Auto-Submitted: auto-replied', '', 'I am away until Monday.', ''].join('\r\n');

for (const backend of await testBackends()) {
  const inboundTest = fixtureTest(backend.name, async () => fixture(await backend.open()));

  inboundTest('a mailto unsubscribe still works when a mail server folded its local part to lower case', async (f) => {
    const reader = f.newsroom.active[1]!;
    const to = `unsubscribe+${tokenIn(f.received.get(reader)!.raw)}@${DOMAIN}`.toLowerCase();
    const r = await f.mail({ from: reader, to: [to] }, `From: ${reader}\r\nTo: ${to}\r\nSubject: unsubscribe\r\n\r\nunsubscribe\r\n`);
    assert.ok(r.ok, JSON.stringify(r));
    assert.deepEqual(f.results, ['unsubscribed']);
    assert.equal((await stateOf(f, reader)).subscription, 'unsubscribed');
  });

  inboundTest('a mailto unsubscribe with a valid token unsubscribes, suppresses and logs consent as by mail', async (f) => {
    const reader = f.newsroom.active[0]!;
    const token = tokenIn(f.received.get(reader)!.raw);
    const r = await f.mail(
      { from: reader, to: [`unsubscribe+${token}@${DOMAIN}`] },
      `From: ${reader}\r\nTo: unsubscribe+${token}@${DOMAIN}\r\nSubject: unsubscribe\r\n\r\nunsubscribe\r\n`,
    );
    assert.ok(r.ok, JSON.stringify(r));
    assert.deepEqual(f.results, ['unsubscribed']);
    const state = await stateOf(f, reader);
    assert.equal(state.subscription, 'unsubscribed');
    assert.equal(state.suppression, 'unsubscribe');
    assert.deepEqual(state.consent.at(-1), { action: 'unsubscribe', method: 'mail' });
    const exported = await exportSubscriber({ store: f.store, keys: f.keys }, reader);
    assert.equal(exported!.consentLog.at(-1)!.method, 'mail', 'the person sees how they left');

    // Twice is harmless.
    await f.mail({ from: reader, to: [`unsubscribe+${token}@${DOMAIN}`] }, `Subject: unsubscribe\r\n\r\n`);
    assert.deepEqual(f.results, ['unsubscribed', 'already-unsubscribed']);
    assert.equal((await stateOf(f, reader)).consent.length, state.consent.length);
    const logs = JSON.stringify(f.logger.lines.filter((l) => l.msg === 'inbound mail'));
    assert.ok(!logs.includes(token) && !logs.includes(reader), 'neither token nor address in the logs');
  });

  inboundTest('a forged or altered token changes nothing', async (f) => {
    const reader = f.newsroom.active[1]!;
    const before = await stateOf(f, reader);
    const token = tokenIn(f.received.get(reader)!.raw);
    const altered = token.slice(0, -2) + (token.toLowerCase().endsWith('aa') ? 'bb' : 'aa');
    // Someone else's unsubscribe token, sealed under another secret.
    const other = { purpose: 'unsubscribe' as const, subscriberId: f.newsroom.subscriberIds.get(f.newsroom.active[2]!)!, publicationId: f.newsroom.publicationId, issuedAt: Date.parse('2026-03-02T05:00:00Z') };
    const forged = signToken(new AudienceKeys('f'.repeat(64)), other, { caseless: true });
    for (const t of [altered, forged, 'u1.1.1.AAAAAAAAAAAAAAAAAAAAAA']) {
      const r = await f.mail({ from: reader, to: [`unsubscribe+${t}@${DOMAIN}`] }, `Subject: unsubscribe\r\n\r\n`);
      assert.ok(r.ok, 'accepted and dropped: nothing tells a forger what happened');
    }
    assert.deepEqual(f.results, ['dropped', 'dropped', 'dropped']);
    assert.deepEqual(await stateOf(f, reader), before);
    assert.deepEqual(await stateOf(f, f.newsroom.active[2]!), { ...(await stateOf(f, f.newsroom.active[2]!)), subscription: 'active', suppression: undefined });
    assert.ok(!JSON.stringify(f.logger.lines).includes(altered), 'the token is not logged');
  });

  inboundTest('a bounce report for a sent row bounces it and suppresses the address', async (f) => {
    const reader = f.newsroom.active[2]!;
    const message = f.received.get(reader)!;
    const r = await f.mail({ from: '', to: [message.from] }, dsn(message.from, 'failed', '5.1.1', message.raw));
    assert.ok(r.ok, JSON.stringify(r));
    assert.deepEqual(f.results, ['bounced']);
    const row = (await sendRecipients(f.store, f.sendId)).find((x) => x.email === reader)!;
    assert.equal(row.state, 'bounced');
    assert.equal(row.relay_code, 550);
    assert.match(row.relay_response!, /^550 5\.1\.1 .*User unknown in virtual mailbox table$/);
    const state = await stateOf(f, reader);
    assert.equal(state.suppression, 'hard-bounce');
    assert.equal(state.subscription, 'unsubscribed');
    assert.deepEqual(state.consent.at(-1), { action: 'suppress', method: 'bounce' });
    // The other rows are untouched.
    assert.equal((await sendRecipients(f.store, f.sendId)).filter((x) => x.state === 'sent').length, f.newsroom.active.length - 1);
  });

  inboundTest('a bounce report to a forged or unsigned return path changes nothing', async (f) => {
    const reader = f.newsroom.active[3]!;
    const message = f.received.get(reader)!;
    const row = (await sendRecipients(f.store, f.sendId)).find((x) => x.email === reader)!;
    const other = (await sendRecipients(f.store, f.sendId)).find((x) => x.email === f.newsroom.active[4]!)!;
    const tag = message.from.split('@')[0]!.split('-').at(-1)!;
    const forged = [`bounces+${f.sendId}-${other.id}-${tag}@${DOMAIN}`, `bounces+${f.sendId}-${row.id}@${DOMAIN}`, `bounces+${f.sendId}-${row.id}-0000000000000000@${DOMAIN}`];
    for (const to of forged) assert.ok((await f.mail({ from: '', to: [to] }, dsn(to, 'failed', '5.1.1', message.raw))).ok);
    assert.deepEqual(f.results, ['dropped', 'dropped', 'dropped']);
    const rows = await sendRecipients(f.store, f.sendId);
    assert.ok(rows.every((x) => x.state === 'sent'));
    assert.equal((await stateOf(f, reader)).suppression, undefined);
    assert.equal((await stateOf(f, f.newsroom.active[4]!)).suppression, undefined);
  });

  inboundTest('a bounce report about a transactional mail (confirmation, welcome) is no list bounce: dropped, the reader untouched', async (f) => {
    const reader = f.newsroom.active[1]!;
    const before = await stateOf(f, reader);
    const mail = { from: 'Tech Matin <matin@techmatin.example.org>', to: reader, subject: 'Bienvenue', text: 'Bonjour' };
    const message = await transactionalMessage(mail, { mailDomain: DOMAIN, returnPaths: new ReturnPaths(SECRET, DOMAIN) }, Date.parse('2026-03-02T05:00:00Z'));
    assert.ok((await f.mail({ from: '', to: [message.from] }, dsn(message.from, 'failed', '5.1.1', wholeMessage(message.raw)))).ok);
    assert.deepEqual(f.results, ['dropped']);
    assert.ok(f.logger.lines.some((l) => /transactional mail/.test(JSON.stringify(l.obj))), JSON.stringify(f.logger.lines));
    assert.deepEqual(await stateOf(f, reader), before);
    assert.ok((await sendRecipients(f.store, f.sendId)).every((x) => x.state === 'sent'));
  });

  inboundTest('a delayed (4.x.x) report changes nothing but a log line', async (f) => {
    const reader = f.newsroom.active[0]!;
    const message = f.received.get(reader)!;
    const before = await stateOf(f, reader);
    assert.ok((await f.mail({ from: '', to: [message.from] }, dsn(message.from, 'delayed', '4.4.1', message.raw))).ok);
    assert.deepEqual(f.results, ['delayed']);
    assert.equal((await sendRecipients(f.store, f.sendId)).find((x) => x.email === reader)!.state, 'sent');
    assert.deepEqual(await stateOf(f, reader), before);
    assert.ok(f.logger.lines.some((l) => l.msg === 'inbound mail' && (l.obj as { result?: string }).result === 'delayed'));
  });

  inboundTest('a feedback-loop complaint suppresses the reader its original names (List-Unsubscribe token, or our Return-Path)', async (f) => {
    const [a, b, c] = [f.newsroom.active[0]!, f.newsroom.active[1]!, f.newsroom.active[3]!];
    // The provider kept only our headers: the signed token identifies the reader.
    assert.ok((await f.mail({ from: 'fbl@mailbox.example.com', to: [`complaints@${DOMAIN}`] }, arf(`complaints@${DOMAIN}`, headerOf(f.received.get(a)!.raw)))).ok);
    // Return-Path added by the receiving server, List-Unsubscribe redacted away.
    const withReturnPath = `Return-Path: <${f.received.get(b)!.from}>\r\n${headerOf(f.received.get(b)!.raw).replace(/^List-Unsubscribe:.*(\r\n[ \t].*)*\r\n/m, '')}`;
    assert.ok(!/List-Unsubscribe:/.test(withReturnPath));
    assert.ok((await f.mail({ from: 'fbl@mailbox.example.com', to: [`complaints@${DOMAIN}`] }, arf(`complaints@${DOMAIN}`, withReturnPath))).ok);
    // A `not-spam` report is no complaint.
    assert.ok((await f.mail({ from: 'fbl@mailbox.example.com', to: [`complaints@${DOMAIN}`] }, arf(`complaints@${DOMAIN}`, headerOf(f.received.get(c)!.raw), 'not-spam'))).ok);
    assert.deepEqual(f.results, ['complaint', 'complaint', 'dropped']);
    for (const reader of [a, b]) {
      const state = await stateOf(f, reader);
      assert.equal(state.suppression, 'complaint', reader);
      assert.equal(state.subscription, 'unsubscribed');
      assert.deepEqual(state.consent.at(-1), { action: 'suppress', method: 'complaint' });
    }
    assert.equal((await stateOf(f, c)).suppression, undefined);
  });

  inboundTest('a complaint quoting a whole original larger than the head the listener keeps is still read', async (f) => {
    const reader = f.newsroom.active[0]!;
    // 3 MiB of the original's body after its headers: only the first MiB of the report is kept.
    const body = `${'x'.repeat(76)}\r\n`.repeat((3 * 1024 * 1024) / 78);
    const original = `${headerOf(f.received.get(reader)!.raw)}\r\n\r\n${body}`;
    assert.ok((await f.mail({ from: 'fbl@mailbox.example.com', to: [`complaints@${DOMAIN}`] }, arf(`complaints@${DOMAIN}`, original))).ok);
    assert.deepEqual(f.results, ['complaint']);
    assert.equal((await stateOf(f, reader)).suppression, 'complaint');
  });

  inboundTest('a complaint whose original carries an altered token changes nothing', async (f) => {
    const reader = f.newsroom.active[0]!;
    const header = headerOf(f.received.get(reader)!.raw).replace(/(unsubscribe[+/][A-Za-z0-9_-]{20})([A-Za-z0-9_-]{2})/g, (_, kept: string, two: string) => kept + (two.toLowerCase() === 'bb' ? 'cc' : 'bb'));
    assert.ok((await f.mail({ from: 'fbl@mailbox.example.com', to: [`complaints@${DOMAIN}`] }, arf(`complaints@${DOMAIN}`, header))).ok);
    assert.deepEqual(f.results, ['dropped']);
    assert.equal((await stateOf(f, reader)).suppression, undefined);
  });

  inboundTest('an auto-reply to the return path is accepted and dropped', async (f) => {
    const message = f.received.get(f.newsroom.active[0]!)!;
    assert.ok((await f.mail({ from: 'reader@example.net', to: [message.from] }, autoReply(message.from))).ok);
    assert.ok((await f.mail({ from: 'reader@example.net', to: [`complaints@${DOMAIN}`] }, autoReply(`complaints@${DOMAIN}`))).ok);
    assert.deepEqual(f.results, ['dropped', 'dropped']);
    assert.ok((await sendRecipients(f.store, f.sendId)).every((x) => x.state === 'sent'));
    assert.equal((await f.store.db.selectFrom('suppressions').select('id').execute()).length, f.newsroom.suppressed.length);
  });
}

test('the listener refuses other recipients (550, no relaying) and messages above the size limit (552)', { timeout: 60_000 }, async () => {
  const received: string[][] = [];
  const logger = memoryLogger();
  const server = await startInboundServer({
    listen: { host: '127.0.0.1', port: 0 },
    mailDomain: DOMAIN,
    logger,
    handle: async (_raw, recipients) => received.push(recipients),
  });
  const client = nodemailer.createTransport({ host: '127.0.0.1', port: server.address.port, secure: false, ignoreTLS: true });
  const send = async (to: string[], raw: string | Buffer) => {
    try {
      const info = await client.sendMail({ envelope: { from: 'someone@example.net', to }, raw });
      return { rejected: info.rejected.map(String), code: 250 };
    } catch (err) {
      return { rejected: (err as { rejected?: string[] }).rejected ?? [], code: (err as { responseCode?: number }).responseCode, response: (err as { response?: string }).response };
    }
  };
  try {
    for (const to of ['editor@' + DOMAIN, 'bounces@' + DOMAIN, `complaints@elsewhere.example`, `unsubscribe+u1.1.1.x@elsewhere.example`, 'victim@example.com']) {
      const r = await send([to], 'Subject: hello\r\n\r\nhi\r\n');
      assert.equal(r.code, 550, to);
      assert.match(r.response ?? '', /^550 5\.1\.1 no such user here/, to);
    }
    // One good recipient among bad ones: only it is taken.
    const mixed = await send([`complaints@${DOMAIN}`, 'victim@example.com'], 'Subject: hello\r\n\r\nhi\r\n');
    assert.deepEqual(mixed.rejected, ['victim@example.com']);
    assert.deepEqual(received, [[`complaints@${DOMAIN}`]]);

    const big = Buffer.concat([Buffer.from('Subject: big\r\n\r\n'), Buffer.alloc(10 * 1024 * 1024 + 1024, 'a\r\n')]);
    const refused = await send([`complaints@${DOMAIN}`], big);
    assert.equal(refused.code, 552);
    assert.equal(received.length, 1, 'the big message was not handed on');
  } finally {
    client.close();
    await server.close();
  }
});

test('the listener answers 451 when the handler fails (store unreachable), so the sender retries', async () => {
  const logger = memoryLogger();
  const server = await startInboundServer({
    listen: { host: '127.0.0.1', port: 0 },
    mailDomain: DOMAIN,
    logger,
    handle: async () => {
      throw new Error('connect ECONNREFUSED 127.0.0.1:5432');
    },
  });
  const client = nodemailer.createTransport({ host: '127.0.0.1', port: server.address.port, secure: false, ignoreTLS: true });
  try {
    await assert.rejects(client.sendMail({ envelope: { from: '', to: [`complaints@${DOMAIN}`] }, raw: 'Subject: x\r\n\r\ny\r\n' }), (err: { responseCode?: number }) => err.responseCode === 451);
    assert.ok(logger.lines.some((l) => l.level === 'error'));
  } finally {
    client.close();
    await server.close();
  }
});
