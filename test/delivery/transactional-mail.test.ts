// The audience's confirmation and welcome mails leave through the delivery
// transport, as a send's messages do: the relay URL's options (tls=none,
// tls=insecure), DKIM, a signed return path, the outbox's index. Real SMTP
// servers on loopback sockets, a real store.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dkimVerify } from 'mailauth/lib/dkim/verify.js';
import { FakeClock } from '../../src/clock.ts';
import type { Config } from '../../src/config.ts';
import { audienceDeps } from '../../src/audience/deps.ts';
import { subscribe } from '../../src/audience/subscribe.ts';
import { mailerOf, transportOf } from '../../src/delivery/mail-stack.ts';
import type { OutboxEntry } from '../../src/delivery/outbox.ts';
import { ReturnPaths } from '../../src/delivery/return-path.ts';
import { MailNotSentError } from '../../src/delivery/transactional-mail.ts';
import type { Transport } from '../../src/delivery/transport.ts';
import { upsertPublication } from '../../src/store/publications.ts';
import { publication } from '../helpers/newsroom.ts';
import { postfixUnavailable, startPostfix } from '../helpers/postfix.ts';
import { testBackends, type TestStore } from '../helpers/store.ts';
import { dkimKey } from './message-fixture.ts';
import { memoryLogger, startSmtpSink, type SmtpSink } from './newsroom-fixture.ts';

const SECRET = 'c'.repeat(64);
const NOW = Date.parse('2026-03-02T05:00:00Z');
const { dkim, txt } = dkimKey();
const [sqlite] = await testBackends();

/** The DNS of example.org as mailauth asks it: the DKIM key's TXT record, nothing else. */
async function resolver(name: string, type: string) {
  if (type === 'TXT' && name === 'matin._domainkey.example.org') return [[txt]];
  throw Object.assign(new Error(`no ${type} ${name}`), { code: 'ENOTFOUND' });
}

interface Setup {
  store: TestStore;
  config: Config;
  transport: Transport;
  logger: ReturnType<typeof memoryLogger>;
  subscribe(email: string): ReturnType<typeof subscribe>;
  close(): Promise<void>;
}

/** A store with Tech Matin, and the audience's deps whose mailer is the transport of `smtpUrls` (the outbox when empty). */
async function setup(smtpUrls: string[]): Promise<Setup> {
  const store = await sqlite!.open();
  const dataDir = mkdtempSync(join(tmpdir(), 'matinale-transactional-'));
  const clock = new FakeClock(NOW);
  await upsertPublication(store, publication(), { actor: 'test', clock });
  const config: Config = { dataDir, smtpUrls, publicUrl: 'https://news.example.org', secret: SECRET, dkim: dkim };
  const transport = transportOf(config, clock);
  const logger = memoryLogger();
  const deps = audienceDeps(config, store, { clock, mailer: mailerOf(config, transport, clock, logger) });
  return {
    store,
    config,
    transport,
    logger,
    subscribe: (email) => subscribe(deps, { publicationSlug: 'tech-matin', email, method: 'form' }),
    async close() {
      await transport.close();
      await store.dispose();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** The sink's one message: DKIM-verified, its envelope sender a return path we signed naming its Message-ID. */
async function assertSignedConfirmation(sink: SmtpSink) {
  assert.equal(sink.received.length, 1);
  const [m] = sink.received;
  assert.deepEqual(m!.to, ['ann@example.net']);
  assert.match(m!.raw.toString('latin1'), /^Subject: =\?UTF-8\?Q\?Confirmez_votre_inscription/m);
  const verified = await dkimVerify(m!.raw, { resolver, curTime: new Date(NOW) });
  assert.equal(verified.results[0]?.status.result, 'pass', JSON.stringify(verified.results[0]?.status));
  assert.equal(verified.results[0]?.signingDomain, 'example.org');
  const key = new ReturnPaths(SECRET, 'example.org').verifyMail(m!.from);
  assert.ok(key, `a signed return path: ${m!.from}`);
  assert.equal(m!.messageId, `t.${key}.matinale@example.org`);
}

test('a confirmation mail goes through a relay URL with tls=none: no STARTTLS though offered, AUTH in clear, DKIM-signed, signed return path', async () => {
  const secure: boolean[] = [];
  const sink = await startSmtpSink({
    auth: { user: 'matinale', pass: 's3cret' },
    server: {
      disabledCommands: [],
      allowInsecureAuth: true,
      onMailFrom(_address, session, cb) {
        secure.push(session.secure);
        cb();
      },
    },
  });
  const s = await setup([`${sink.url}?tls=none`]);
  try {
    assert.equal((await s.subscribe('ann@example.net')).status, 'accepted');
    assert.deepEqual(secure, [false]);
    await assertSignedConfirmation(sink);
  } finally {
    await s.close();
    await sink.close();
  }
});

test('a confirmation mail goes through a relay URL with tls=insecure: STARTTLS with a self-signed certificate, DKIM-signed, signed return path', async () => {
  const secure: boolean[] = [];
  const sink = await startSmtpSink({
    server: {
      disabledCommands: ['AUTH'],
      onMailFrom(_address, session, cb) {
        secure.push(session.secure);
        cb();
      },
    },
  });
  const s = await setup([`${sink.url}?tls=insecure`]);
  try {
    assert.equal((await s.subscribe('ann@example.net')).status, 'accepted');
    assert.deepEqual(secure, [true]);
    await assertSignedConfirmation(sink);
  } finally {
    await s.close();
    await sink.close();
  }
});

test('without a relay, a confirmation mail is kept in the outbox and listed in its index, owner-only whatever the umask', async () => {
  const s = await setup([]);
  try {
    const previous = process.umask(0);
    try {
      assert.equal((await s.subscribe('ann@example.net')).status, 'accepted');
    } finally {
      process.umask(previous);
    }
    const dir = join(s.config.dataDir, 'outbox');
    const index = readFileSync(join(dir, 'index.jsonl'), 'utf8').trim().split('\n').map((line) => JSON.parse(line) as OutboxEntry);
    assert.equal(index.length, 1);
    const [entry] = index;
    assert.equal(entry!.to, 'ann@example.net');
    assert.equal(entry!.transactional, true);
    assert.match(entry!.messageId, /^t\.[0-9a-f]{16}\.matinale@example\.org$/);
    assert.ok(new ReturnPaths(SECRET, 'example.org').verifyMail(entry!.from), 'the signed return path');
    const raw = readFileSync(join(dir, entry!.file));
    assert.equal(raw.length, entry!.bytes);
    assert.equal((await dkimVerify(raw, { resolver, curTime: new Date(NOW) })).results[0]?.status.result, 'pass');
    assert.equal((statSync(dir).mode & 0o777).toString(8), '700');
    assert.equal((statSync(join(dir, entry!.file)).mode & 0o777).toString(8), '600');
    assert.equal((statSync(join(dir, 'index.jsonl')).mode & 0o777).toString(8), '600');
  } finally {
    await s.close();
  }
});

test('a 5xx about the mailbox gives the mail up without a bounce row or a suppression; a 4xx is an error that names no address', async () => {
  const sink = await startSmtpSink({
    rcpt: (address) =>
      address.startsWith('gone') ? { code: 550, message: `5.1.1 <${address}>: Recipient address rejected` } : address.startsWith('busy') ? { code: 451, message: `4.7.1 <${address}>: try later` } : undefined,
  });
  const s = await setup([sink.url]);
  try {
    // The reader sees the same page as for any address: nothing tells a stranger the mailbox does not exist.
    assert.equal((await s.subscribe('gone@example.net')).status, 'accepted');
    const suppressions = await s.store.db.selectFrom('suppressions').selectAll().execute();
    assert.deepEqual(suppressions, []);
    const subscription = await s.store.db.selectFrom('subscriptions').select('status').executeTakeFirstOrThrow();
    assert.equal(subscription.status, 'pending', 'left to the purge of unconfirmed subscriptions');
    assert.equal((await s.store.db.selectFrom('recipients').select('id').execute()).length, 0, 'no ledger row');
    const refused = s.logger.lines.find((l) => l.msg === 'transactional mail refused by the relay');
    assert.ok(refused, JSON.stringify(s.logger.lines));
    assert.ok(!JSON.stringify(s.logger.lines).includes('gone@'), 'no address in the logs');

    const err = await s.subscribe('busy@example.net').then(
      () => assert.fail('a 451 must not pass for sent'),
      (e: unknown) => e,
    );
    assert.ok(err instanceof MailNotSentError);
    assert.equal(err.relayCode, 451);
    assert.ok(!err.message.includes('busy@'), err.message);
    assert.equal(sink.received.length, 0);
  } finally {
    await s.close();
    await sink.close();
  }
});

test('a confirmation mail goes over STARTTLS through a real Postfix and comes out DKIM-valid with its signed return path', { skip: postfixUnavailable() }, async () => {
  const sink = await startSmtpSink();
  const postfix = await startPostfix({ startTls: true, relayTo: { host: '127.0.0.1', port: sink.port }, settings: { smtpd_tls_loglevel: '1' } });
  const s = await setup([`${postfix.url}?tls=insecure`]);
  try {
    assert.equal((await s.subscribe('ann@example.net')).status, 'accepted');
    assert.match(postfix.log(), /TLS connection established from localhost/);
    for (let i = 0; i < 100 && sink.received.length < 1; i++) await new Promise((r) => setTimeout(r, 100));
    await assertSignedConfirmation(sink);
  } finally {
    await s.close();
    await postfix.stop();
    await sink.close();
  }
});
