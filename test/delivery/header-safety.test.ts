// What a publication's From, Reply-To and name become in a message's headers:
// never a raw value (issue 11: a line break in `from` wrote Bcc: and
// X-Injected: lines), and a From outside ASCII that survives DKIM (issue 9:
// the message wrote it as Latin-1 while DKIM signed the UTF-8 text).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { domainToASCII } from 'node:url';
import { simpleParser } from 'mailparser';
import { dkimVerify } from 'mailauth/lib/dkim/verify.js';
import { systemClock } from '../../src/clock.ts';
import { parsePublicationYaml } from '../../src/edition/publication-file.ts';
import { publicationSchema } from '../../src/edition/publication.ts';
import { buildMessageTemplate, HeaderValueError } from '../../src/delivery/message-template.ts';
import { compileMessage, spliceMessage, type RecipientValues } from '../../src/delivery/splice.ts';
import { DkimSigner } from '../../src/delivery/dkim.ts';
import { smtpPool } from '../../src/delivery/smtp-pool.ts';
import { relayRefusal, messageSample } from '../../src/delivery/relay-fit.ts';
import { dkimKey, sampleContent, sampleSettings } from './message-fixture.ts';
import { startSmtpSink } from './newsroom-fixture.ts';

const NOW = Date.parse('2026-03-02T05:00:00Z');
const SAMPLE = readFileSync('examples/publications/tech-matin.yaml', 'utf8');
const INJECTED = 'Tech Matin\r\nBcc: victim@example.net\r\nX-Injected: yes <techmatin@example.org>';

function values(email = 'lecteur@example.net'): RecipientValues {
  return {
    to: email,
    recipient: email,
    messageId: '7.1.matinale@example.org',
    date: 'Mon, 02 Mar 2026 05:00:00 +0000',
    unsubscribeUrl: 'https://techmatin.example.org/unsubscribe/TOKEN',
    preferencesUrl: 'https://techmatin.example.org/preferences/TOKEN',
    unsubscribeMailto: 'mailto:unsubscribe+TOKEN@example.org?subject=unsubscribe',
  };
}

/** The header block of a message, unfolded, as lines. */
function headerLines(raw: Buffer): string[] {
  const text = raw.toString('utf8');
  return text.slice(0, text.indexOf('\r\n\r\n')).replace(/\r\n[ \t]/g, ' ').split('\r\n');
}

test('a publication file whose from, replyTo, name or a team name holds a line break or a control character is refused at its line', () => {
  const cases: Array<[string, string, string]> = [
    ['from: Tech Matin <techmatin@example.org>', `from: ${JSON.stringify(INJECTED)}`, '`from` must not hold a line break'],
    ['from: Tech Matin <techmatin@example.org>', 'from: "techmatin@example.org\\nBcc: victim@example.net"', '`from` must not hold a line break'],
    ['from: Tech Matin <techmatin@example.org>', 'from: "Tech\\u001bMatin <techmatin@example.org>"', '`from` must not hold a control character (U+001B)'],
    ['replyTo: redaction@example.org', 'replyTo: "redaction@example.org\\r\\nBcc: victim@example.net"', '`replyTo`'],
    ['name: Tech Matin', 'name: "Tech Matin\\r\\nX-Injected: yes"', '`name` must not hold a line break'],
    ['{ name: Jeanne Moreau,', '{ name: "Jeanne\\nBcc: victim@example.net",', '`team[0].name` must not hold a line break'],
  ];
  for (const [line, replacement, message] of cases) {
    assert.ok(SAMPLE.includes(line), line);
    const text = SAMPLE.replace(line, replacement);
    const lineNo = text.split('\n').findIndex((l) => l.includes(replacement.split(':')[0]!.trim()) && l.includes(replacement.slice(-12))) + 1;
    const r = parsePublicationYaml(text, 'tech-matin.yaml');
    assert.equal(r.publication, undefined, replacement);
    const d = r.diagnostics.find((x) => x.message.startsWith(message));
    assert.ok(d, `${replacement}: ${JSON.stringify(r.diagnostics.map((x) => x.message))}`);
    assert.equal(d.line, lineNo, replacement);
  }
});

test('the message template writes no raw From or Reply-To: a line break or control character is refused, naming the header', async () => {
  const { content, publication } = await sampleContent();
  const settings = sampleSettings(publication);
  // What the schema refuses may still be stored from before: the header writer refuses it too.
  for (const from of [INJECTED, 'techmatin@example.org\r\nBcc: victim@example.net', 'Tech\u0000Matin <techmatin@example.org>', '"Tech\rMatin" <techmatin@example.org>']) {
    assert.throws(
      () => buildMessageTemplate(content, { ...settings, from }),
      (err: unknown) => err instanceof HeaderValueError && err.header === 'From' && /must not hold (a line break|a control character)/.test(err.message),
      JSON.stringify(from),
    );
  }
  assert.throws(
    () => buildMessageTemplate(content, { ...settings, replyTo: 'redaction@example.org\nX-Injected: yes' }),
    (err: unknown) => err instanceof HeaderValueError && err.header === 'Reply-To',
  );
  // And whatever passes is one line per header: no Bcc, no X-Injected.
  const raw = spliceMessage(compileMessage(buildMessageTemplate(content, settings)), values(), NOW);
  const names = headerLines(raw).map((l) => l.slice(0, l.indexOf(':')).toLowerCase());
  assert.ok(!names.includes('bcc') && !names.includes('x-injected'));
});

test('« Équipe Matinale » at an IDN domain: From encoded (RFC 2047) with the A-label, 7-bit, and DKIM verifies with mailauth after a real relay', async () => {
  const { content, publication } = await sampleContent();
  const from = '« Équipe Matinale » <matinale@matinalé.example>';
  assert.equal(publicationSchema.safeParse({ ...publication, from }).success, true, 'the schema accepts it');
  const { dkim, txt } = dkimKey();
  const compiled = compileMessage(buildMessageTemplate(content, { ...sampleSettings(publication), from }), new DkimSigner(dkim));
  const sink = await startSmtpSink();
  const transport = smtpPool([sink.url], { clock: systemClock });
  try {
    const raw = spliceMessage(compiled, values(), NOW);
    const r = await transport.submit({ from: 'bounces+1-1@example.org', to: 'lecteur@example.net', raw, messageId: '7.1.matinale@example.org' });
    assert.equal(r.ok, true, JSON.stringify(r));
    const received = sink.received[0]!.raw;
    // eslint-disable-next-line no-control-regex
    assert.ok(/^[\x00-\x7f]*$/.test(received.toString('latin1')), 'every byte is ASCII');
    const parsed = await simpleParser(received);
    const mailbox = parsed.from!.value[0]!;
    assert.equal(mailbox.name, '« Équipe Matinale »');
    // Written as the A-label; a mail program shows it as the domain it stands for.
    const aLabel = domainToASCII('matinalé.example');
    assert.match(aLabel, /^xn--/);
    assert.ok(headerLines(received).some((l) => l.startsWith('From: ') && l.endsWith(`<matinale@${aLabel}>`)));
    assert.equal(mailbox.address, 'matinale@matinalé.example');
    const resolver = async (name: string, type: string) => {
      if (type === 'TXT' && name === 'matin._domainkey.example.org') return [[txt]];
      throw Object.assign(new Error(`no ${type} ${name}`), { code: 'ENOTFOUND' });
    };
    const verdict = (await dkimVerify(received, { resolver, curTime: new Date(NOW) })).results[0]!;
    assert.equal(verdict.status.result, 'pass', JSON.stringify(verdict.status));
  } finally {
    await transport.close();
    await sink.close();
  }
});

test('a From whose local part is not ASCII goes out with SMTPUTF8 where the relay offers it, and is refused before any reader where it does not', async () => {
  const { content, publication } = await sampleContent();
  const from = 'Rédaction <rédaction@example.org>';
  assert.equal(publicationSchema.safeParse({ ...publication, from }).success, true);
  const { dkim, txt } = dkimKey();
  const compiled = compileMessage(buildMessageTemplate(content, { ...sampleSettings(publication), from }), new DkimSigner(dkim));
  const raw = spliceMessage(compiled, values(), NOW);
  const envelope = { from: 'bounces+1-1@example.org', to: 'lecteur@example.net' };
  const mailFrom: Array<Record<string, unknown>> = [];
  const utf8 = await startSmtpSink({
    server: {
      onMailFrom(address, _session, cb) {
        mailFrom.push(address.args as Record<string, unknown>);
        cb();
      },
    },
  });
  const ascii = await startSmtpSink({ server: { hideSMTPUTF8: true } });
  const withUtf8 = smtpPool([utf8.url], { clock: systemClock });
  const without = smtpPool([ascii.url], { clock: systemClock });
  try {
    const r = await withUtf8.submit({ ...envelope, raw, messageId: 'm1' });
    assert.equal(r.ok, true, JSON.stringify(r));
    assert.equal(mailFrom[0]!.SMTPUTF8, true);
    const received = utf8.received[0]!.raw;
    assert.ok(headerLines(received).some((l) => l.endsWith('<rédaction@example.org>') && l.startsWith('From: ')), 'the address is written as UTF-8');
    const resolver = async (name: string, type: string) => {
      if (type === 'TXT' && name === 'matin._domainkey.example.org') return [[txt]];
      throw Object.assign(new Error(`no ${type} ${name}`), { code: 'ENOTFOUND' });
    };
    assert.equal((await dkimVerify(received, { resolver, curTime: new Date(NOW) })).results[0]!.status.result, 'pass');

    // A relay without SMTPUTF8: the check before a send says why, naming the relay.
    const limits = await without.limits!();
    assert.deepEqual(
      limits.map((l) => l.smtputf8),
      [false],
    );
    assert.match(relayRefusal(messageSample(envelope, raw), limits) ?? '', /does not offer SMTPUTF8/);
    assert.equal(relayRefusal(messageSample(envelope, raw), await withUtf8.limits!()), undefined);
    // And a message that reaches it anyway is refused by our client, not sent mangled.
    const refused = await without.submit({ ...envelope, raw, messageId: 'm2' });
    assert.equal(refused.ok, false);
    assert.match(!refused.ok ? refused.response : '', /SMTPUTF8/);
    assert.equal(ascii.received.length, 0);
  } finally {
    await withUtf8.close();
    await without.close();
    await utf8.close();
    await ascii.close();
  }
});
