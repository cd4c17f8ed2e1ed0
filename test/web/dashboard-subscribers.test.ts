// The dashboard's subscribers of a publication, through the app on every
// backend: add by hand (refused without a consent source, with the problem
// next to its field), search, the subscriber's page with its consent log,
// unsubscribe, the person's data, the list as CSV, and erasure by an admin.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { testBackends } from '../helpers/store.ts';
import { EDITOR, Visitor, newsroom } from './harness.ts';
import { addAccount } from '../../src/web/auth/accounts.ts';

const ADMIN = { email: 'ada.admin@example.org', password: 'admin-password-1' };

for (const backend of await testBackends()) {
  test(`${backend.name}: an editor adds, finds, opens and unsubscribes a subscriber; an admin erases them`, async () => {
    const n = await newsroom(backend);
    try {
      await addAccount(n.store, { ...ADMIN, role: 'admin', publicationSlugs: ['tech-matin'] }, n.clock);
      const editor = new Visitor(n.app);
      await editor.signIn(EDITOR);
      const list = '/newsroom/publications/tech-matin/subscribers';
      assert.equal((await editor.get(list)).statusCode, 200);

      const refused = await editor.post(list, { email: 'ann@example.org', name: 'Ann', consentSource: ' ' });
      assert.equal(refused.statusCode, 400);
      assert.match(refused.body, /id="consentSource-problem">say where and how the person gave their consent</);
      assert.match(refused.body, /value="ann@example.org"/, 'the form keeps what was typed');
      const bad = await editor.post(list, { email: 'ann@', consentSource: 'paper form' });
      assert.equal(bad.statusCode, 400);
      assert.match(bad.body, /id="email-problem"/);

      const added = await editor.post(list, { email: 'Ann@Example.org', name: 'Ann <b>', consentSource: 'paper form at the meetup' });
      assert.equal(added.statusCode, 303);
      const page = await editor.get(String(added.headers.location));
      assert.equal(page.statusCode, 200);
      assert.match(page.body, /Added: the subscription is active/);
      assert.match(page.body, /<h1>Ann@example\.org<\/h1>/);
      assert.match(page.body, /Ann &lt;b&gt;/, 'the name is escaped');
      assert.match(page.body, /paper form at the meetup/);
      assert.doesNotMatch(page.body, /Erase for good/, 'an editor is not offered erasure');
      const subscriberUrl = String(added.headers.location).split('?')[0]!;

      for (const q of ['ann@example.org', 'EXAMPLE', 'ann <']) {
        const found = await editor.get(`${list}?q=${encodeURIComponent(q)}`);
        assert.match(found.body, /href="\/newsroom\/publications\/tech-matin\/subscribers\/\d+">Ann@example\.org</, q);
      }
      assert.match((await editor.get(`${list}?q=nobody`)).body, /No subscriber matches/);
      assert.match((await editor.get(`${list}?status=pending`)).body, /No subscriber matches/);

      const csv = await editor.get(`${list}.csv`);
      assert.equal(csv.statusCode, 200);
      assert.match(String(csv.headers['content-disposition']), /attachment/);
      assert.match(csv.body, /^email,name,status/);
      assert.match(csv.body, /Ann@example\.org,Ann <b>,active,admin,/);

      const data = await editor.get(`${subscriberUrl}/data.json`);
      assert.equal(data.json().email, 'Ann@example.org');
      assert.equal(data.json().consentLog[0].details.consentSource, 'paper form at the meetup');

      assert.equal((await editor.post(`${subscriberUrl}/unsubscribe`, {})).statusCode, 303);
      const after = await editor.get(subscriberUrl);
      assert.match(after.body, /<td>Tech Matin<\/td><td>unsubscribed<\/td>/);
      assert.match(after.body, /tech-matin: unsubscribe/);
      assert.equal((await editor.post(`${subscriberUrl}/erase`, { confirm: 'yes' })).statusCode, 403);

      const admin = new Visitor(n.app);
      await admin.signIn(ADMIN);
      const offered = await admin.get(subscriberUrl);
      assert.match(offered.body, /Erase for good/);
      assert.equal((await admin.post(`${subscriberUrl}/erase`, {})).statusCode, 400, 'erasure needs its box ticked');
      const erased = await admin.post(`${subscriberUrl}/erase`, { confirm: 'yes' });
      assert.equal(erased.statusCode, 303);
      assert.match((await admin.get(String(erased.headers.location))).body, /The person was erased/);
      assert.equal((await admin.get(subscriberUrl)).statusCode, 404);
      assert.doesNotMatch((await admin.get(`${list}.csv`)).body, /Ann/);
    } finally {
      await n.close();
    }
  });
}
