// The sending setup page: the relays without their password, DKIM, the DNS
// records to publish (the DKIM key one that verifies the signing key's
// signatures), and the check against a real DNS server speaking UDP on a
// loopback port (dns-packet), through node:dns as in production.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createPublicKey, generateKeyPairSync, sign, verify } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';
import dnsPacket from 'dns-packet';
import { parseHTML } from 'linkedom';
import { testBackends } from '../helpers/store.ts';
import { EDITOR, Visitor, newsroom } from './harness.ts';
import { buildApp } from '../../src/web/app.ts';
import { addAccount } from '../../src/web/auth/accounts.ts';
import { checkDnsRecords, dkimPublicKey, dnsRecords, zoneFileValue } from '../../src/delivery/dns-records.ts';

const ADMIN = { email: 'admin.dns@example.org', password: 'admin-password-456' };
const PASSWORD = 'relay-s3cret-word';

/** A DNS server on a loopback UDP port: TXT answers from `zone` (strings of at most 255 characters), NXDOMAIN otherwise. */
async function dnsServer(zone: Map<string, string[]>): Promise<{ port: number; socket: Socket; asked: string[] }> {
  const socket = createSocket('udp4');
  const asked: string[] = [];
  socket.on('message', (message, peer) => {
    const query = dnsPacket.decode(message);
    const question = query.questions?.[0];
    if (!question) return;
    asked.push(`${question.type} ${question.name}`);
    const values = question.type === 'TXT' ? zone.get(question.name.toLowerCase()) : undefined;
    const answer = dnsPacket.encode({
      type: 'response',
      id: query.id,
      // NXDOMAIN (rcode 3) for a name the zone does not hold.
      flags: dnsPacket.AUTHORITATIVE_ANSWER | dnsPacket.RECURSION_DESIRED | (values ? 0 : 3),
      questions: [question],
      answers: (values ?? []).map((v) => ({ type: 'TXT' as const, name: question.name, ttl: 60, data: v.match(/.{1,255}/g) ?? [''] })),
    });
    socket.send(answer, peer.port, peer.address);
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  return { port: socket.address().port, socket, asked };
}

test('the DKIM record holds the public half of the signing key (RSA and Ed25519)', () => {
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const { k, p } = dkimPublicKey(rsa.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString());
  assert.equal(k, 'rsa');
  const published = createPublicKey({ key: Buffer.from(p, 'base64'), format: 'der', type: 'spki' });
  const signature = sign('sha256', Buffer.from('a message'), rsa.privateKey);
  assert.ok(verify('sha256', Buffer.from('a message'), published, signature), 'what a receiver reads from the DNS verifies our signatures');

  const ed = generateKeyPairSync('ed25519');
  const edKey = dkimPublicKey(ed.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString());
  assert.equal(edKey.k, 'ed25519');
  assert.equal(Buffer.from(edKey.p, 'base64').length, 32, 'RFC 8463: the raw key');

  assert.equal(zoneFileValue('a'.repeat(300)), `"${'a'.repeat(255)}" "${'a'.repeat(45)}"`);
  const records = dnsRecords({ mailDomain: 'news.example.org', relayHosts: [], fromAddresses: ['A <a@example.org>', 'b@Example.org'] });
  assert.deepEqual(records.map((r) => `${r.purpose} ${r.name}`), ['SPF news.example.org', 'DMARC _dmarc.example.org']);
});

test('a DNS that does not answer leaves each record unchecked, saying so', async () => {
  // A UDP port with nobody behind it: closed again before the lookups.
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const port = socket.address().port;
  await new Promise<void>((resolve) => socket.close(() => resolve()));
  const records = dnsRecords({ mailDomain: 'news.example.org', relayHosts: ['relay.example.net'], fromAddresses: ['a@example.org'] });
  const checks = await checkDnsRecords(records, { servers: [`127.0.0.1:${port}`], timeoutMs: 300 });
  assert.deepEqual(checks.map((c) => c.status), ['unresolved', 'unresolved']);
  assert.match(checks[0]!.detail!, /^the DNS did not answer \(E[A-Z]+\)$/);
});

for (const backend of (await testBackends()).slice(0, 1)) {
  test(`the sending setup page and its DNS check, on ${backend.name}`, async (t) => {
    const n = await newsroom(backend);
    t.after(() => n.close());
    await addAccount(n.store, { ...ADMIN, role: 'admin', publicationSlugs: ['tech-matin'] }, n.clock);
    const keys = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const privateKey = keys.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const publicKey = keys.publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
    const zone = new Map<string, string[]>();
    const dns = await dnsServer(zone);
    t.after(() => dns.socket.close());
    const config = {
      ...n.config,
      smtpUrls: [`smtp://newsroom:${PASSWORD}@relay.example.net:587?pool=2&rate=10`, 'smtps://mx2.example.net?weight=3'],
      dkim: { domain: 'news.example.org', selector: 'mat2026', privateKey },
      dnsServers: [`127.0.0.1:${dns.port}`],
    };
    const app = await buildApp({ store: n.store, config, clock: n.clock });
    t.after(() => app.close());

    const admin = new Visitor(app);
    await admin.signIn(ADMIN);
    const page = await admin.get('/newsroom/settings/sending');
    assert.equal(page.statusCode, 200);
    assert.ok(!page.body.includes(PASSWORD), 'never the password');
    assert.match(page.body, /smtp:\/\/relay\.example\.net:587<\/strong> — STARTTLS, signs in as <code>newsroom<\/code>; 2 connections, 10 a second, no limit a hour</);
    assert.match(page.body, /smtps:\/\/mx2\.example\.net:465<\/strong>[^<]*; 5 connections, no limit a second, no limit a hour, weight 3</);
    assert.match(page.body, /smtps:\/\/mx2\.example\.net:465<\/strong> — TLS from the first byte/);
    const { document } = parseHTML(page.body);
    const value = (name: string) => {
      const field = [...document.querySelectorAll('input.copy')].find((i) => i.getAttribute('value') === name);
      assert.ok(field, `a record named ${name}`);
      return document.getElementById(field.id.replace(/-name$/, '-value'))!.textContent;
    };
    assert.equal(value('mat2026._domainkey.news.example.org'), `v=DKIM1; k=rsa; p=${publicKey}`);
    assert.equal(value('news.example.org'), 'v=spf1 a:relay.example.net a:mx2.example.net ~all');
    assert.match(value('_dmarc.example.org')!, /^v=DMARC1; p=none; rua=mailto:dmarc-reports@example\.org/);
    assert.match(value('_dmarc.example.com')!, /^v=DMARC1; p=none/);

    // The DNS holds the DKIM key (split in strings of 255, as published) and one DMARC record; no SPF.
    zone.set('mat2026._domainkey.news.example.org', [`v=DKIM1; k=rsa; p=${publicKey}`]);
    zone.set('_dmarc.example.org', ['v=DMARC1; p=quarantine']);
    zone.set('_dmarc.example.com', ['v=DMARC1; p=none', 'v=DMARC1; p=reject']);
    const checked = await admin.post('/newsroom/settings/sending/check', {});
    assert.equal(checked.statusCode, 200);
    const status = (html: string, purpose: string, name: string) => {
      const { document: d } = parseHTML(html);
      const article = [...d.querySelectorAll('article.dns-record')].find((a) => a.querySelector(`input[value="${name}"]`) && a.querySelector('h3')?.textContent?.startsWith(purpose));
      return article?.querySelector('.check')?.textContent;
    };
    assert.equal(status(checked.body, 'DKIM', 'mat2026._domainkey.news.example.org'), 'Published');
    assert.equal(status(checked.body, 'SPF', 'news.example.org'), 'Not found');
    assert.equal(status(checked.body, 'DMARC', '_dmarc.example.org'), 'Published');
    assert.equal(status(checked.body, 'DMARC', '_dmarc.example.com'), 'Different');
    assert.match(checked.body, /more than one DMARC record/);
    assert.ok(dns.asked.includes('TXT mat2026._domainkey.news.example.org'), 'asked our DNS server');

    // Another key in the DNS: said so, with what the DNS holds.
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
    zone.set('mat2026._domainkey.news.example.org', [`v=DKIM1; k=rsa; p=${other}`]);
    zone.set('news.example.org', ['v=spf1 a:relay.example.net ~all']);
    const again = await admin.post('/newsroom/settings/sending/check', {});
    assert.equal(status(again.body, 'DKIM', 'mat2026._domainkey.news.example.org'), 'Different');
    assert.match(again.body, /another public key/);
    assert.equal(status(again.body, 'SPF', 'news.example.org'), 'Different');
    assert.match(again.body, /does not name mx2\.example\.net/);

    // The newsroom's admins only.
    const editor = new Visitor(app);
    await editor.signIn(EDITOR);
    assert.equal((await editor.get('/newsroom/settings/sending')).statusCode, 403);
  });
}
