// The audience's public routes through app.inject, on every backend, with
// mails read back from the local outbox as .eml files.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { fixtureTest, testBackends } from '../helpers/store.ts';
import { CookieJar, csrfIn, newsroom, subscribeThroughForm, type Newsroom } from './harness.ts';
import { linkInText, outbox } from '../audience/mail-reader.ts';
import { AudienceKeys } from '../../src/audience/keys.ts';
import { audienceDeps } from '../../src/audience/deps.ts';
import { suppress } from '../../src/audience/suppression.ts';

const form = (fields: Record<string, string | string[]>) => {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(fields)) for (const x of [v].flat()) p.append(k, x);
  return { payload: p.toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } };
};

async function status(n: Newsroom, email: string, publicationId = n.ids.techMatin) {
  const row = await n.store.db
    .selectFrom('subscriptions')
    .innerJoin('subscribers', 'subscribers.id', 'subscriptions.subscriber_id')
    .select('subscriptions.status')
    .where('subscribers.email', '=', email)
    .where('subscriptions.publication_id', '=', publicationId)
    .executeTakeFirst();
  return row?.status;
}

async function suppressed(n: Newsroom, email: string, publicationId: number) {
  const keys = new AudienceKeys(n.config.secret);
  const row = await n.store.db
    .selectFrom('suppressions')
    .select('reason')
    .where('publication_id', '=', publicationId)
    .where('email_hash', '=', keys.addressHash(email))
    .executeTakeFirst();
  return row?.reason;
}

const mails = (n: Newsroom) => outbox(join(n.config.dataDir, 'outbox'));
const lastMailTo = (n: Newsroom, to: string) => mails(n).filter((m) => m.to.includes(to)).at(-1);
const path = (url: string) => new URL(url).pathname;

async function subscribeAndConfirm(n: Newsroom, email: string) {
  await subscribeThroughForm(n.app, 'tech-matin', { email });
  const confirm = path(linkInText(lastMailTo(n, email), '/confirm/'));
  const r = await n.app.inject({ method: 'POST', url: confirm });
  assert.equal(r.statusCode, 200);
}

for (const backend of await testBackends()) {
  const it = fixtureTest(backend.name, () => newsroom(backend));

  it('the subscribe form answers the same for a new and a known address, and mails a confirmation link', async (n) => {
    const first = await subscribeThroughForm(n.app, 'tech-matin', { email: 'ann@example.org', name: 'Ann' });
    assert.equal(first.statusCode, 200);
    assert.match(first.body, /<html lang="fr">/);
    assert.match(first.body, /un message vient de lui être envoyé/);
    assert.equal(await status(n, 'ann@example.org'), 'pending');
    const again = await subscribeThroughForm(n.app, 'tech-matin', { email: 'ann@example.org', name: 'Ann' });
    assert.equal(again.statusCode, first.statusCode);
    assert.equal(again.body, first.body);
    const mail = lastMailTo(n, 'ann@example.org');
    assert.equal(mail?.subject, 'Confirmez votre inscription à Tech Matin');
    assert.match(linkInText(mail, '/confirm/'), /^http:\/\/news\.test\/confirm\//);
    // The consent log holds a keyed hash of the IP, never the IP.
    const log = await n.store.db.selectFrom('consent_log').select(['ip_hash', 'details']).execute();
    assert.ok(log.length > 0 && log.every((l) => l.ip_hash && !l.ip_hash.includes('127.0.0.1')));
  });

  it('an invalid address gets the form back with the problem, escaped; an unknown publication a 404', async (n) => {
    const r = await subscribeThroughForm(n.app, 'tech-matin', { email: '"><script>alert(1)</script>' });
    assert.equal(r.statusCode, 400);
    assert.doesNotMatch(r.body, /<script>alert/);
    assert.match(r.body, /&quot;&gt;&lt;script&gt;/);
    assert.equal((await n.app.inject({ method: 'POST', url: '/nope/subscribe', ...form({ email: 'a@example.org' }) })).statusCode, 404);
    assert.equal(mails(n).length, 0);
  });

  it('the subscribe form refuses a post without its CSRF token (another site, curl) and mails nothing; its answer offers the form again', async (n) => {
    const bare = await n.app.inject({ method: 'POST', url: '/tech-matin/subscribe', ...form({ email: 'victim@example.org' }) });
    assert.equal(bare.statusCode, 403);
    assert.match(bare.body, /<html lang="fr">/);
    assert.match(bare.body, /Ce formulaire a expiré/);
    // A token without the cookie it was made from (copied from someone else's page) is refused too.
    const archive = await n.app.inject({ method: 'GET', url: '/tech-matin' });
    const stolen = await n.app.inject({ method: 'POST', url: '/tech-matin/subscribe', ...form({ email: 'victim@example.org', _csrf: csrfIn(archive.body) }) });
    assert.equal(stolen.statusCode, 403);
    assert.equal(mails(n).length, 0);
    assert.equal(await status(n, 'victim@example.org'), undefined);
    // The refusal carries a fresh form: sent again with its cookie, it goes through.
    const jar = new CookieJar();
    jar.take(stolen);
    const again = await n.app.inject({
      method: 'POST',
      url: '/tech-matin/subscribe',
      payload: new URLSearchParams({ _csrf: csrfIn(stolen.body), email: 'victim@example.org' }).toString(),
      headers: { cookie: jar.header(), 'content-type': 'application/x-www-form-urlencoded' },
    });
    assert.equal(again.statusCode, 200);
    assert.equal(mails(n).length, 1);
  });

  it('one mail per address and publication within ten minutes, with the same answer whether the address is known or not', async (n) => {
    await subscribeAndConfirm(n, 'known@example.org');
    n.clock.advance(11 * 60_000);
    const answers = new Set<string>();
    for (const email of ['victim@example.org', 'known@example.org']) {
      for (let i = 0; i < 8; i++) {
        // From several clients, so that only the per-address limit is at work.
        const r = await subscribeThroughForm(n.app, 'tech-matin', { email: i % 2 ? email.toUpperCase() : email }, { remoteAddress: `198.51.100.${i}` });
        answers.add(`${r.statusCode} ${r.body}`);
      }
    }
    assert.equal(answers.size, 1, 'one answer for all');
    assert.match([...answers][0]!, /^200 /);
    assert.equal(mails(n).filter((m) => m.to.includes('victim@example.org')).length, 1);
    assert.equal(mails(n).filter((m) => m.to.includes('known@example.org')).length, 3, 'confirmation, welcome, one "already subscribed"');
    // Another publication is another limit; and after the interval, one more mail.
    await subscribeThroughForm(n.app, 'policy-morning', { email: 'victim@example.org' });
    assert.equal(mails(n).filter((m) => m.to.includes('victim@example.org')).length, 2);
    n.clock.advance(10 * 60_000 + 1);
    await subscribeThroughForm(n.app, 'tech-matin', { email: 'victim@example.org' });
    assert.equal(mails(n).filter((m) => m.to.includes('victim@example.org')).length, 3);
  });

  it('at most ten subscribe posts per client within ten minutes; others are not held back', async (n) => {
    const from = (ip: string, i: number) => subscribeThroughForm(n.app, 'tech-matin', { email: `reader${i}@example.org` }, { remoteAddress: ip });
    for (let i = 0; i < 10; i++) assert.equal((await from('203.0.113.7', i)).statusCode, 200, `post ${i}`);
    const refused = await from('203.0.113.7', 10);
    assert.equal(refused.statusCode, 429);
    assert.match(refused.body, /Trop de demandes/);
    assert.equal(mails(n).length, 10);
    assert.equal((await from('203.0.113.8', 11)).statusCode, 200);
    n.clock.advance(10 * 60_000 + 1);
    assert.equal((await from('203.0.113.7', 12)).statusCode, 200);
  });

  it('GET on the confirmation link shows a button and changes nothing; POST confirms and the welcome mail follows', async (n) => {
    await subscribeThroughForm(n.app, 'tech-matin', { email: 'ann@example.org' });
    const confirm = path(linkInText(lastMailTo(n, 'ann@example.org'), '/confirm/'));
    for (let i = 0; i < 3; i++) {
      const page = await n.app.inject({ method: 'GET', url: confirm });
      assert.equal(page.statusCode, 200);
      assert.match(page.body, new RegExp(`<form method="post" action="${confirm}">`));
      assert.equal(page.headers['cache-control'], 'no-store');
    }
    assert.equal((await n.app.inject({ method: 'HEAD', url: confirm })).statusCode, 200);
    assert.equal(await status(n, 'ann@example.org'), 'pending');
    const done = await n.app.inject({ method: 'POST', url: confirm });
    assert.match(done.body, /Votre inscription à Tech Matin est confirmée/);
    assert.equal(await status(n, 'ann@example.org'), 'active');
    assert.equal(lastMailTo(n, 'ann@example.org')?.subject, 'Bienvenue dans Tech Matin');
    const twice = await n.app.inject({ method: 'POST', url: confirm });
    assert.equal(twice.statusCode, 200);
    assert.match(twice.body, /était déjà confirmée/);
    assert.equal(mails(n).filter((m) => m.subject.startsWith('Bienvenue')).length, 1);
  });

  it('forged or altered tokens are refused on every link, GET and POST', async (n) => {
    await subscribeAndConfirm(n, 'ann@example.org');
    const unsubscribe = path(linkInText(lastMailTo(n, 'ann@example.org'), '/unsubscribe/'));
    const altered = unsubscribe.slice(0, -2) + (unsubscribe.endsWith('AA') ? 'BB' : 'AA');
    for (const url of [altered, '/unsubscribe/u1.1.1.AAAAAAAAAAAAAAAAAAAAAA', '/confirm/garbage', '/preferences/p1.1.1.AAAAAAAAAAAAAAAAAAAAAA', altered.replace('/unsubscribe/', '/confirm/')]) {
      for (const method of ['GET', 'POST'] as const) {
        const r = await n.app.inject({ method, url, ...form({ 'List-Unsubscribe': 'One-Click' }) });
        assert.equal(r.statusCode, 400, `${method} ${url}`);
        assert.match(r.body, /Ce lien n&#39;est pas valide/);
      }
    }
    assert.equal(await status(n, 'ann@example.org'), 'active');
  });

  it('GET on the unsubscribe link shows the page (leave, stay, preferences) and changes nothing', async (n) => {
    await subscribeAndConfirm(n, 'ann@example.org');
    const unsubscribe = path(linkInText(lastMailTo(n, 'ann@example.org'), '/unsubscribe/'));
    const page = await n.app.inject({ method: 'GET', url: unsubscribe });
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /Voulez-vous ne plus recevoir Tech Matin/);
    assert.match(page.body, new RegExp(`<form method="post" action="${unsubscribe}">`));
    assert.match(page.body, /href="http:\/\/news\.test\/tech-matin">Rester inscrit/);
    assert.match(page.body, /href="http:\/\/news\.test\/preferences\/[A-Za-z0-9_-]{43}">Gérer mes préférences/);
    assert.equal(await status(n, 'ann@example.org'), 'active');
  });

  it('RFC 8058 one-click POST unsubscribes without cookie or page, url-encoded or multipart', async (n) => {
    await subscribeAndConfirm(n, 'ann@example.org');
    await subscribeAndConfirm(n, 'bob@example.org');
    const annLink = path(linkInText(lastMailTo(n, 'ann@example.org'), '/unsubscribe/'));
    const r = await n.app.inject({ method: 'POST', url: annLink, ...form({ 'List-Unsubscribe': 'One-Click' }) });
    assert.equal(r.statusCode, 200);
    assert.equal(await status(n, 'ann@example.org'), 'unsubscribed');

    const bobLink = path(linkInText(lastMailTo(n, 'bob@example.org'), '/unsubscribe/'));
    const boundary = '----matinale';
    const multipart = `--${boundary}\r\nContent-Disposition: form-data; name="List-Unsubscribe"\r\n\r\nOne-Click\r\n--${boundary}--\r\n`;
    const m = await n.app.inject({ method: 'POST', url: bobLink, payload: multipart, headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } });
    assert.equal(m.statusCode, 200);
    assert.equal(await status(n, 'bob@example.org'), 'unsubscribed');
    const methods = (await n.store.db.selectFrom('consent_log').select(['action', 'method']).where('action', '=', 'unsubscribe').execute()).map((x) => x.method);
    assert.deepEqual(methods, ['one-click', 'one-click']);
    // Again: still 200, nothing more logged.
    assert.equal((await n.app.inject({ method: 'POST', url: annLink, ...form({ 'List-Unsubscribe': 'One-Click' }) })).statusCode, 200);
    assert.equal((await n.store.db.selectFrom('consent_log').select('id').where('action', '=', 'unsubscribe').execute()).length, 2);
  });

  it('the page\'s button (POST without the one-click body) also unsubscribes', async (n) => {
    await subscribeAndConfirm(n, 'ann@example.org');
    const link = path(linkInText(lastMailTo(n, 'ann@example.org'), '/unsubscribe/'));
    const r = await n.app.inject({ method: 'POST', url: link, ...form({}) });
    assert.equal(r.statusCode, 200);
    assert.match(r.body, /Vous ne recevrez plus Tech Matin/);
    assert.equal(await status(n, 'ann@example.org'), 'unsubscribed');
    const empty = await n.app.inject({ method: 'POST', url: link });
    assert.equal(empty.statusCode, 200);
    const log = await n.store.db.selectFrom('consent_log').select('method').where('action', '=', 'unsubscribe').execute();
    assert.deepEqual(log.map((l) => l.method), ['link']);
  });

  it('preferences: GET shows the form and changes nothing; POST leaves what is unticked and renames', async (n) => {
    await subscribeAndConfirm(n, 'ann@example.org');
    const prefs = path(linkInText(lastMailTo(n, 'ann@example.org'), '/preferences/'));
    const page = await n.app.inject({ method: 'GET', url: prefs });
    assert.equal(page.statusCode, 200);
    assert.match(page.body, new RegExp(`value="${n.ids.techMatin}" checked`));
    assert.match(page.body, new RegExp(`value="${n.ids.policyMorning}">`));
    const saved = await n.app.inject({ method: 'POST', url: prefs, ...form({ _csrf: csrfIn(page.body), publication: String(n.ids.techMatin), name: '<b>Ann</b>' }) });
    assert.equal(saved.statusCode, 200);
    assert.match(saved.body, /Vos préférences sont enregistrées/);
    assert.match(saved.body, /value="&lt;b&gt;Ann&lt;\/b&gt;"/);
    assert.equal(await status(n, 'ann@example.org', n.ids.techMatin), 'active');
    await n.app.inject({ method: 'POST', url: prefs, ...form({ _csrf: csrfIn(page.body), name: 'Ann' }) });
    assert.equal(await status(n, 'ann@example.org', n.ids.techMatin), 'unsubscribed');
    assert.equal(await suppressed(n, 'ann@example.org', n.ids.techMatin), 'unsubscribe');
  });

  it('preferences: ticking a publication not received mails its confirmation link and subscribes nobody until it is followed', async (n) => {
    await subscribeAndConfirm(n, 'ann@example.org');
    const prefs = path(linkInText(lastMailTo(n, 'ann@example.org'), '/preferences/'));
    const page = await n.app.inject({ method: 'GET', url: prefs });
    const before = mails(n).length;
    const saved = await n.app.inject({ method: 'POST', url: prefs, ...form({ _csrf: csrfIn(page.body), publication: [String(n.ids.techMatin), String(n.ids.policyMorning)] }) });
    assert.equal(saved.statusCode, 200);
    assert.match(saved.body, /Pour recevoir Policy Morning, confirmez votre inscription/);
    assert.equal(await status(n, 'ann@example.org', n.ids.policyMorning), 'pending');
    assert.equal(mails(n).length, before + 1);
    const confirmation = lastMailTo(n, 'ann@example.org')!;
    assert.match(confirmation.subject, /Policy Morning/);
    // Shown ticked and awaiting; saving again sends nothing more.
    assert.match(saved.body, new RegExp(`value="${n.ids.policyMorning}" checked> Policy Morning</label> <small>`));
    await n.app.inject({ method: 'POST', url: prefs, ...form({ _csrf: csrfIn(page.body), publication: [String(n.ids.techMatin), String(n.ids.policyMorning)] }) });
    assert.equal(mails(n).length, before + 1);
    const confirmed = await n.app.inject({ method: 'POST', url: path(linkInText(confirmation, '/confirm/')) });
    assert.equal(confirmed.statusCode, 200);
    assert.equal(await status(n, 'ann@example.org', n.ids.policyMorning), 'active');
  });

  it('preferences never lift a suppression: a reader who left, or whose address bounced, comes back only through a fresh confirmation', async (n) => {
    await subscribeAndConfirm(n, 'ann@example.org');
    const prefs = path(linkInText(lastMailTo(n, 'ann@example.org'), '/preferences/'));
    await n.app.inject({ method: 'POST', url: path(linkInText(lastMailTo(n, 'ann@example.org'), '/unsubscribe/')), ...form({ 'List-Unsubscribe': 'One-Click' }) });
    await suppress(audienceDeps(n.config, n.store, { clock: n.clock }), n.ids.policyMorning, 'ann@example.org', 'hard-bounce');
    n.clock.advance(11 * 60_000); // past the subscribe form's one mail per address and publication
    const page = await n.app.inject({ method: 'GET', url: prefs });
    const both = [String(n.ids.techMatin), String(n.ids.policyMorning)];
    const saved = await n.app.inject({ method: 'POST', url: prefs, ...form({ _csrf: csrfIn(page.body), publication: both }) });
    assert.equal(saved.statusCode, 200);
    assert.equal(await status(n, 'ann@example.org', n.ids.techMatin), 'unsubscribed');
    assert.equal(await suppressed(n, 'ann@example.org', n.ids.techMatin), 'unsubscribe');
    assert.equal(await suppressed(n, 'ann@example.org', n.ids.policyMorning), 'hard-bounce');
    const confirmations = mails(n).filter((m) => m.to.includes('ann@example.org') && /Confirm/.test(m.subject));
    assert.deepEqual(confirmations.slice(-2).map((m) => /Policy Morning/.test(m.subject)).sort(), [false, true]);
    // The owner of the address follows the link: that, and only that, lifts it.
    const techConfirm = confirmations.filter((m) => /Tech Matin/.test(m.subject)).at(-1)!;
    assert.equal((await n.app.inject({ method: 'POST', url: path(linkInText(techConfirm, '/confirm/')) })).statusCode, 200);
    assert.equal(await status(n, 'ann@example.org', n.ids.techMatin), 'active');
    assert.equal(await suppressed(n, 'ann@example.org', n.ids.techMatin), undefined);
  });

  it('preferences: a post without the form token of its own link, or sent by another site, changes nothing', async (n) => {
    await subscribeAndConfirm(n, 'ann@example.org');
    await subscribeAndConfirm(n, 'bob@example.org');
    const prefs = path(linkInText(lastMailTo(n, 'ann@example.org'), '/preferences/'));
    const bobs = path(linkInText(lastMailTo(n, 'bob@example.org'), '/preferences/'));
    const token = csrfIn((await n.app.inject({ method: 'GET', url: prefs })).body);
    const bobToken = csrfIn((await n.app.inject({ method: 'GET', url: bobs })).body);
    const leave = { name: 'Mallory' };
    const attempts = [
      { ...form(leave) },
      { ...form({ ...leave, _csrf: bobToken }) },
      { ...form({ ...leave, _csrf: token.slice(0, -1) + (token.endsWith('A') ? 'B' : 'A') }) },
      { ...form({ ...leave, _csrf: token }), headers: { ...form(leave).headers, 'sec-fetch-site': 'cross-site' } },
      { ...form({ ...leave, _csrf: token }), headers: { ...form(leave).headers, origin: 'https://attacker.example' } },
    ];
    for (const [i, attempt] of attempts.entries()) {
      const r = await n.app.inject({ method: 'POST', url: prefs, ...attempt });
      assert.equal(r.statusCode, 403, `attempt ${i}`);
      assert.match(r.body, /n’a pas été envoyé depuis sa page/);
      assert.equal(csrfIn(r.body), token, 'the form comes back with its token');
    }
    assert.equal(await status(n, 'ann@example.org', n.ids.techMatin), 'active');
    const names = await n.store.db.selectFrom('subscribers').select('name').where('email', '=', 'ann@example.org').executeTakeFirstOrThrow();
    assert.equal(names.name, null);
    const ok = await n.app.inject({ method: 'POST', url: prefs, ...form({ ...leave, _csrf: token }), headers: { ...form(leave).headers, origin: 'http://news.test', 'sec-fetch-site': 'same-origin' } });
    assert.equal(ok.statusCode, 200);
    assert.equal(await status(n, 'ann@example.org', n.ids.techMatin), 'unsubscribed');
  });

  it('an expired preferences link offers a fresh one by mail, which works; the old one changes nothing', async (n) => {
    await subscribeAndConfirm(n, 'ann@example.org');
    const prefs = path(linkInText(lastMailTo(n, 'ann@example.org'), '/preferences/'));
    const token = csrfIn((await n.app.inject({ method: 'GET', url: prefs })).body);
    n.clock.advance(91 * 24 * 3600_000);
    const page = await n.app.inject({ method: 'GET', url: prefs });
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /Ce lien vers vos préférences a expiré/);
    assert.match(page.body, new RegExp(`<form method="post" action="${prefs}/renew">`));
    const save = await n.app.inject({ method: 'POST', url: prefs, ...form({ _csrf: token }) });
    assert.match(save.body, /a expiré/);
    assert.equal(await status(n, 'ann@example.org', n.ids.techMatin), 'active');
    const before = mails(n).length;
    assert.equal((await n.app.inject({ method: 'POST', url: `${prefs}/renew`, ...form({}) })).statusCode, 200);
    assert.equal(mails(n).length, before, 'no mail without the form token');
    const renewed = await n.app.inject({ method: 'POST', url: `${prefs}/renew`, ...form({ _csrf: csrfIn(page.body) }) });
    assert.equal(renewed.statusCode, 200);
    assert.match(renewed.body, /Un nouveau lien vers vos préférences vient de vous être envoyé/);
    const fresh = path(linkInText(lastMailTo(n, 'ann@example.org'), '/preferences/'));
    assert.notEqual(fresh, prefs);
    const freshPage = await n.app.inject({ method: 'GET', url: fresh });
    assert.match(freshPage.body, new RegExp(`value="${n.ids.techMatin}" checked`));
  });
}
