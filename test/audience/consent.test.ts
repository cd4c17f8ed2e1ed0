// Subscribing, confirming, leaving, preferences, suppression and the purge,
// through the audience's services, on every backend.
import assert from 'node:assert/strict';
import { fixtureTest, testBackends } from '../helpers/store.ts';
import { audienceFixture, linkIn, tokenOf, type AudienceFixture } from './audience-fixture.ts';
import { subscribe } from '../../src/audience/subscribe.ts';
import { confirmSubscription, inspectConfirmation } from '../../src/audience/confirm.ts';
import { inspectUnsubscribe, unsubscribeByToken } from '../../src/audience/unsubscribe.ts';
import { loadPreferences, savePreferences } from '../../src/audience/preferences.ts';
import { mailFreshPreferencesLink } from '../../src/audience/preferences-link.ts';
import { isSuppressed, suppress } from '../../src/audience/suppression.ts';
import { purgeUnconfirmed } from '../../src/audience/purge.ts';
import { recipientLinks } from '../../src/audience/links.ts';
import { sendableSubscribers } from '../../src/store/subscriptions.ts';
import { signToken } from '../../src/audience/tokens.ts';
import { AudienceKeys } from '../../src/audience/keys.ts';
import { publicRule } from '../../src/edition/published.ts';
import type { Config } from '../../src/config.ts';

const DAY = 86_400_000;

async function statusOf(f: AudienceFixture, email: string, publicationId = f.ids.tech) {
  const row = await f.store.db
    .selectFrom('subscriptions')
    .innerJoin('subscribers', 'subscribers.id', 'subscriptions.subscriber_id')
    .select('subscriptions.status')
    .where('subscribers.email', '=', email)
    .where('subscriptions.publication_id', '=', publicationId)
    .executeTakeFirst();
  return row?.status;
}

async function consentActions(f: AudienceFixture) {
  const rows = await f.store.db.selectFrom('consent_log').select(['action', 'method', 'ip_hash', 'wording_version']).orderBy('id').execute();
  return rows;
}

async function sendable(f: AudienceFixture, publicationId = f.ids.tech) {
  return (await sendableSubscribers(f.store, publicationId).execute()).map((r) => r.email).sort();
}

/** Subscribes and follows the confirmation link of the mail. */
async function subscribed(f: AudienceFixture, email: string, slug = 'tech-matin') {
  await subscribe(f.deps, { publicationSlug: slug, email, ip: '203.0.113.9' });
  const link = linkIn(f.mailer.lastTo(email), '/confirm/');
  assert.equal((await confirmSubscription(f.deps, tokenOf(link), { ip: '203.0.113.9' })).status, 'confirmed');
}

for (const backend of await testBackends()) {
  const it = fixtureTest(backend.name, () => audienceFixture(backend));

  it('subscribing leaves the subscription pending and mails a confirmation link; confirming activates it and sends the welcome mail', async (f) => {
    const r = await subscribe(f.deps, { publicationSlug: 'tech-matin', email: 'Ann@Example.org', name: 'Ann', ip: '203.0.113.9' });
    assert.equal(r.status, 'accepted');
    assert.equal(await statusOf(f, 'Ann@example.org'), 'pending');
    assert.deepEqual(await sendable(f), []);
    const mail = f.mailer.lastTo('Ann@example.org');
    assert.ok(mail);
    assert.equal(mail.subject, 'Confirmez votre inscription à Tech Matin');
    assert.equal(mail.from, 'Tech Matin <techmatin@example.org>');
    const link = linkIn(mail, '/confirm/');
    assert.ok(link.startsWith('http://news.test/confirm/'));

    // Opening the link (GET) only inspects.
    assert.equal((await inspectConfirmation(f.deps, tokenOf(link))).status, 'ready');
    assert.equal(await statusOf(f, 'Ann@example.org'), 'pending');

    const c = await confirmSubscription(f.deps, tokenOf(link), { ip: '203.0.113.9' });
    assert.equal(c.status, 'confirmed');
    assert.equal(await statusOf(f, 'Ann@example.org'), 'active');
    assert.deepEqual(await sendable(f), ['Ann@example.org']);

    const welcome = f.mailer.lastTo('Ann@example.org')!;
    assert.equal(welcome.subject, 'Bienvenue dans Tech Matin');
    assert.match(welcome.text, /Bienvenue dans Tech Matin, la lettre du matin\./);
    assert.match(welcome.html ?? '', /<strong>Tech Matin<\/strong>/);
    // No edition sent yet: the archive.
    assert.match(welcome.text, /Toutes les éditions\u00a0: http:\/\/news\.test\/tech-matin\n/);
    assert.match(welcome.headers?.['List-Unsubscribe'] ?? '', /^<http:\/\/news\.test\/unsubscribe\/[A-Za-z0-9_-]{43}>$/);
    assert.equal(welcome.headers?.['List-Unsubscribe-Post'], 'List-Unsubscribe=One-Click');

    const log = await consentActions(f);
    assert.deepEqual(log.map((l) => [l.action, l.method]), [['subscribe-request', 'form'], ['confirm', 'link']]);
    assert.ok(log.every((l) => l.ip_hash && !l.ip_hash.includes('203.0.113.9')));
    assert.equal(log[0]!.wording_version, 'fr-2026-1');
  });

  it('confirming twice is harmless and sends one welcome mail', async (f) => {
    await subscribe(f.deps, { publicationSlug: 'tech-matin', email: 'ann@example.org' });
    const token = tokenOf(linkIn(f.mailer.lastTo('ann@example.org'), '/confirm/'));
    assert.equal((await confirmSubscription(f.deps, token)).status, 'confirmed');
    const mails = f.mailer.sent.length;
    assert.equal((await confirmSubscription(f.deps, token)).status, 'already-confirmed');
    assert.equal(f.mailer.sent.length, mails);
    assert.equal((await consentActions(f)).filter((l) => l.action === 'confirm').length, 1);
  });

  it('the welcome mail links the latest sent edition', async (f) => {
    await f.store.db
      .insertInto('editions')
      .values([
        { publication_id: f.ids.tech, date: '2026-02-27', status: 'sent', current_version: 1, subject: null, created_at: 0, updated_at: 0 },
        { publication_id: f.ids.tech, date: '2026-03-02', status: 'sent', current_version: 1, subject: null, created_at: 0, updated_at: 0 },
        { publication_id: f.ids.tech, date: '2026-03-03', status: 'draft', current_version: 1, subject: null, created_at: 0, updated_at: 0 },
      ])
      .execute();
    await subscribed(f, 'ann@example.org');
    assert.match(f.mailer.lastTo('ann@example.org')!.text, /La dernière édition\u00a0: http:\/\/news\.test\/tech-matin\/2026-03-02\n/);
  });

  it('with no edition sent, the welcome mail links the latest edition the site shows (approved, dated today or earlier, on the embedded default)', async (f) => {
    const edition = (date: string, status: 'approved' | 'draft' | 'ready') =>
      ({ publication_id: f.ids.tech, date, status, current_version: 1, subject: null, created_at: 0, updated_at: 0 }) as const;
    await f.store.db
      .insertInto('editions')
      .values([edition('2026-02-27', 'approved'), edition('2026-03-02', 'approved'), edition('2026-03-03', 'approved'), edition('2026-03-04', 'ready')])
      .execute();
    // Through a relay approved editions are not public: the archive.
    await subscribed(f, 'bob@example.org');
    assert.match(f.mailer.lastTo('bob@example.org')!.text, /Toutes les éditions\u00a0: http:\/\/news\.test\/tech-matin\n/);
    // On the embedded default (local outbox) today's approved edition is public; tomorrow's is not yet.
    f.deps.publicRule = publicRule({ smtpUrls: [] } as unknown as Config, f.clock);
    await subscribed(f, 'ann@example.org');
    assert.match(f.mailer.lastTo('ann@example.org')!.text, /La dernière édition\u00a0: http:\/\/news\.test\/tech-matin\/2026-03-02\n/);
  });

  it('subscribing again never reveals whether the address was on the list', async (f) => {
    await subscribed(f, 'ann@example.org');
    const before = f.mailer.sent.length;
    const known = await subscribe(f.deps, { publicationSlug: 'tech-matin', email: 'ann@example.org' });
    const unknown = await subscribe(f.deps, { publicationSlug: 'tech-matin', email: 'bob@example.org' });
    assert.deepEqual(known, unknown);
    // One mail each, whatever the case: same work, same timing class.
    assert.equal(f.mailer.sent.length, before + 2);
    assert.equal(await statusOf(f, 'ann@example.org'), 'active');
    const already = f.mailer.lastTo('ann@example.org')!;
    assert.equal(already.subject, 'Vous êtes déjà inscrit à Tech Matin');
    assert.doesNotMatch(already.text, /\/confirm\//);
    // A stranger typing an address cannot change its name.
    await subscribe(f.deps, { publicationSlug: 'tech-matin', email: 'ann@example.org', name: 'Mallory' });
    const row = await f.store.db.selectFrom('subscribers').select('name').where('email', '=', 'ann@example.org').executeTakeFirstOrThrow();
    assert.equal(row.name, null);
  });

  it('an invalid address or an unknown publication is refused; nothing is written or mailed', async (f) => {
    assert.equal((await subscribe(f.deps, { publicationSlug: 'tech-matin', email: 'not an address' })).status, 'invalid-address');
    assert.equal((await subscribe(f.deps, { publicationSlug: 'nope', email: 'ann@example.org' })).status, 'unknown-publication');
    assert.equal(f.mailer.sent.length, 0);
    assert.equal((await f.store.db.selectFrom('subscribers').select('id').execute()).length, 0);
  });

  it('a forged, altered, expired or wrong-purpose confirmation token changes nothing', async (f) => {
    await subscribe(f.deps, { publicationSlug: 'tech-matin', email: 'ann@example.org' });
    const token = tokenOf(linkIn(f.mailer.lastTo('ann@example.org'), '/confirm/'));
    const subscriberId = (await f.store.db.selectFrom('subscribers').select('id').executeTakeFirstOrThrow()).id;
    const forged = signToken(new AudienceKeys('0'.repeat(64)), { purpose: 'confirm', subscriberId, publicationId: f.ids.tech, issuedAt: f.clock.now() });
    const wrongPurpose = signToken(f.deps.keys, { purpose: 'unsubscribe', subscriberId, publicationId: f.ids.tech, issuedAt: f.clock.now() });
    const altered = token.slice(0, -1) + (token.endsWith('A') ? 'B' : 'A');
    for (const t of [forged, wrongPurpose, altered, 'garbage']) assert.equal((await confirmSubscription(f.deps, t)).status, 'invalid', t);
    f.clock.advance(8 * DAY);
    assert.equal((await confirmSubscription(f.deps, token)).status, 'expired');
    assert.equal(await statusOf(f, 'ann@example.org'), 'pending');
  });

  it('unsubscribing by token ends the subscription, suppresses the address and logs it; twice is harmless', async (f) => {
    await subscribed(f, 'ann@example.org');
    const unsubscribe = linkIn(f.mailer.lastTo('ann@example.org'), '/unsubscribe/');
    assert.equal((await inspectUnsubscribe(f.deps, tokenOf(unsubscribe))).status, 'subscribed');
    assert.equal(await statusOf(f, 'ann@example.org'), 'active');
    assert.equal((await unsubscribeByToken(f.deps, tokenOf(unsubscribe), { method: 'one-click' })).status, 'unsubscribed');
    assert.equal(await statusOf(f, 'ann@example.org'), 'unsubscribed');
    assert.equal(await isSuppressed(f.deps, f.ids.tech, 'ANN@example.org'), true);
    assert.equal(await isSuppressed(f.deps, f.ids.policy, 'ann@example.org'), false);
    assert.deepEqual(await sendable(f), []);
    assert.equal((await unsubscribeByToken(f.deps, tokenOf(unsubscribe), { method: 'link' })).status, 'already-unsubscribed');
    const log = await consentActions(f);
    assert.deepEqual(log.filter((l) => l.action === 'unsubscribe').map((l) => l.method), ['one-click']);
    // The unsubscribe link still works years later (no expiry).
    f.clock.advance(3 * 365 * DAY);
    assert.equal((await inspectUnsubscribe(f.deps, tokenOf(unsubscribe))).status, 'already-unsubscribed');
  });

  it('a suppressed address stays suppressed until the person confirms a new subscription', async (f) => {
    await subscribed(f, 'ann@example.org');
    await suppress(f.deps, f.ids.tech, 'ann@example.org', 'hard-bounce', { relay: '550 5.1.1 no such user' });
    assert.equal(await statusOf(f, 'ann@example.org'), 'unsubscribed');
    assert.deepEqual(await sendable(f), []);
    // Asking again is not enough…
    await subscribe(f.deps, { publicationSlug: 'tech-matin', email: 'ann@example.org' });
    assert.equal(await isSuppressed(f.deps, f.ids.tech, 'ann@example.org'), true);
    // …confirming is.
    const token = tokenOf(linkIn(f.mailer.lastTo('ann@example.org'), '/confirm/'));
    assert.equal((await confirmSubscription(f.deps, token)).status, 'confirmed');
    assert.equal(await isSuppressed(f.deps, f.ids.tech, 'ann@example.org'), false);
    assert.deepEqual(await sendable(f), ['ann@example.org']);
    const log = await consentActions(f);
    assert.ok(log.some((l) => l.action === 'suppress' && l.method === 'bounce'));
  });

  it('a complaint about an address that is no subscriber is still suppressed', async (f) => {
    await suppress(f.deps, f.ids.policy, 'stranger@example.net', 'complaint');
    assert.equal(await isSuppressed(f.deps, f.ids.policy, 'Stranger@EXAMPLE.net'), true);
  });

  it('a confirmation link issued before an unsubscribe does not bring the person back', async (f) => {
    await subscribe(f.deps, { publicationSlug: 'tech-matin', email: 'ann@example.org' });
    const confirm = tokenOf(linkIn(f.mailer.lastTo('ann@example.org'), '/confirm/'));
    assert.equal((await confirmSubscription(f.deps, confirm)).status, 'confirmed');
    f.clock.advance(60_000);
    const unsubscribe = tokenOf(linkIn(f.mailer.lastTo('ann@example.org'), '/unsubscribe/'));
    await unsubscribeByToken(f.deps, unsubscribe, { method: 'link' });
    f.clock.advance(60_000);
    assert.equal((await confirmSubscription(f.deps, confirm)).status, 'expired');
    assert.equal(await statusOf(f, 'ann@example.org'), 'unsubscribed');
  });

  it('preferences: GET reads; POST leaves the unticked, asks to confirm the newly ticked (activates nothing) and renames', async (f) => {
    await subscribed(f, 'ann@example.org');
    const token = tokenOf(linkIn(f.mailer.lastTo('ann@example.org'), '/preferences/'));
    const view = await loadPreferences(f.deps, token);
    assert.equal(view.status, 'ok');
    if (view.status !== 'ok') return;
    assert.deepEqual(view.publications.map((p) => [p.slug, p.receives]), [['policy-morning', false], ['tech-matin', true]]);
    assert.equal(await statusOf(f, 'ann@example.org', f.ids.policy), undefined);

    const mails = f.mailer.sent.length;
    const after = await savePreferences(f.deps, token, { name: 'Ann B.', publicationIds: [f.ids.policy] });
    assert.equal(after.status, 'ok');
    if (after.status !== 'ok') return;
    assert.deepEqual(after.requested, ['Policy Morning']);
    assert.equal(await statusOf(f, 'ann@example.org', f.ids.policy), 'pending');
    assert.equal(await statusOf(f, 'ann@example.org', f.ids.tech), 'unsubscribed');
    assert.equal(await isSuppressed(f.deps, f.ids.tech, 'ann@example.org'), true);
    assert.equal(f.mailer.sent.length, mails + 1);
    assert.equal(f.mailer.sent.at(-1)!.subject, 'Confirm your subscription to Policy Morning');
    const request = (await consentActions(f)).filter((l) => l.action === 'subscribe-request').at(-1)!;
    assert.equal(request.method, 'link');
    const row = await f.store.db.selectFrom('subscribers').select('name').executeTakeFirstOrThrow();
    assert.equal(row.name, 'Ann B.');

    // Ticking Tech Matin again: a confirmation, not a way around the suppression.
    f.clock.advance(1000);
    await savePreferences(f.deps, token, { name: 'Ann B.', publicationIds: [f.ids.policy, f.ids.tech] });
    assert.equal(await statusOf(f, 'ann@example.org', f.ids.tech), 'unsubscribed');
    assert.equal(await isSuppressed(f.deps, f.ids.tech, 'ann@example.org'), true);
    assert.equal(f.mailer.sent.at(-1)!.subject, 'Confirmez votre inscription à Tech Matin');
    assert.equal((await confirmSubscription(f.deps, tokenOf(linkIn(f.mailer.sent.at(-1)!, '/confirm/')))).status, 'confirmed');
    assert.equal(await isSuppressed(f.deps, f.ids.tech, 'ann@example.org'), false);
    assert.equal((await loadPreferences(f.deps, 'A'.repeat(43))).status, 'invalid');
  });

  it('a preferences link expires after PREFERENCES_LINK_MAX_AGE; its owner can have a fresh one mailed', async (f) => {
    await subscribed(f, 'ann@example.org');
    const token = tokenOf(linkIn(f.mailer.lastTo('ann@example.org'), '/preferences/'));
    f.clock.advance(f.deps.policy.preferencesMaxAgeMs + 1000);
    assert.equal((await loadPreferences(f.deps, token)).status, 'expired');
    assert.equal((await savePreferences(f.deps, token, { name: null, publicationIds: [] })).status, 'expired');
    assert.equal(await statusOf(f, 'ann@example.org', f.ids.tech), 'active');
    assert.equal((await mailFreshPreferencesLink(f.deps, token)).status, 'sent');
    const fresh = tokenOf(linkIn(f.mailer.lastTo('ann@example.org'), '/preferences/'));
    assert.equal((await loadPreferences(f.deps, fresh)).status, 'ok');
    assert.equal((await mailFreshPreferencesLink(f.deps, 'A'.repeat(43))).status, 'invalid');
  });

  it('pending subscriptions never confirmed are purged after the delay, confirmed ones stay', async (f) => {
    await subscribe(f.deps, { publicationSlug: 'tech-matin', email: 'late@example.org' });
    await subscribed(f, 'ann@example.org');
    f.clock.advance(13 * DAY);
    assert.deepEqual(await purgeUnconfirmed(f.deps), { subscriptions: 0, subscribers: 0 });
    f.clock.advance(2 * DAY);
    assert.deepEqual(await purgeUnconfirmed(f.deps), { subscriptions: 1, subscribers: 1 });
    const emails = (await f.store.db.selectFrom('subscribers').select('email').execute()).map((r) => r.email);
    assert.deepEqual(emails, ['ann@example.org']);
    assert.ok((await consentActions(f)).some((l) => l.action === 'purge' && l.method === 'system'));
    assert.equal(await statusOf(f, 'ann@example.org'), 'active');
  });

  it('recipient links give delivery the unsubscribe and preferences URLs and the RFC 8058 headers', async (f) => {
    const links = recipientLinks(f.deps.keys, f.deps.publicUrl, 12, f.ids.tech, f.clock.now());
    assert.match(links.unsubscribeUrl, /^http:\/\/news\.test\/unsubscribe\/[A-Za-z0-9_-]{43}$/);
    assert.match(links.preferencesUrl, /^http:\/\/news\.test\/preferences\/[A-Za-z0-9_-]{43}$/);
    assert.deepEqual(links.headers, { 'List-Unsubscribe': `<${links.unsubscribeUrl}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' });
  });
}
