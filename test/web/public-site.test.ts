// The public site: home, archive, the « view in browser » page, JSON, feeds,
// 404s in the publication's language, drafts never public, output escaped.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseHTML } from 'linkedom';
import { testBackends } from '../helpers/store.ts';
import { newsroom, sampleSource, subscribeThroughForm } from './harness.ts';
import { saveEdition, transitionEdition } from '../../src/store/editions.ts';

for (const backend of await testBackends()) {
  test(`public site on ${backend.name}`, async (t) => {
    const n = await newsroom(backend);
    t.after(() => n.close());

    await t.test('home lists both publications with security headers', async () => {
      const res = await n.app.inject('/');
      assert.equal(res.statusCode, 200);
      assert.match(res.body, /Tech Matin/);
      assert.match(res.body, /Policy Morning/);
      assert.match(String(res.headers['content-security-policy']), /script-src 'self'/);
      assert.equal(res.headers['x-content-type-options'], 'nosniff');
      assert.equal(res.headers['referrer-policy'], 'strict-origin-when-cross-origin');
    });

    await t.test('archive lists the approved edition (embedded default) with a subscribe form', async () => {
      const res = await n.app.inject('/tech-matin');
      assert.equal(res.statusCode, 200);
      const { document } = parseHTML(res.body);
      assert.equal(document.documentElement.getAttribute('lang'), 'fr');
      const links = [...document.querySelectorAll('ul.editions a')].map((a) => a.getAttribute('href'));
      assert.deepEqual(links, ['/tech-matin/2026-03-02']);
      const form = document.querySelector('form[action="/tech-matin/subscribe"]');
      assert.ok(form, 'subscribe form');
      assert.equal(form.getAttribute('method'), 'post');
      assert.ok(form.querySelector('input[name="_csrf"]')?.getAttribute('value'));
      assert.ok(form.querySelector('input[type="email"][name="email"]'));
    });

    await t.test('the subscribe form’s fields are what the audience’s route takes', async () => {
      const res = await subscribeThroughForm(n.app, 'tech-matin', { email: 'reader@example.net', name: 'Reader' });
      assert.equal(res.statusCode, 200);
      assert.match(res.body, /lang="fr"/);
      const pending = await n.store.db.selectFrom('subscriptions').select('status').where('publication_id', '=', n.ids.techMatin).execute();
      assert.deepEqual(pending.map((p) => p.status), ['pending']);
    });

    await t.test('the edition page is render’s web page', async () => {
      const res = await n.app.inject('/tech-matin/2026-03-02');
      assert.equal(res.statusCode, 200);
      assert.match(String(res.headers['content-type']), /text\/html/);
      const { document } = parseHTML(res.body);
      assert.equal(document.querySelector('link[rel="canonical"]')?.getAttribute('href'), 'http://news.test/tech-matin/2026-03-02');
      assert.ok(document.querySelector('h1'));
    });

    await t.test('the edition JSON', async () => {
      const res = await n.app.inject('/tech-matin/2026-03-02.json');
      assert.equal(res.statusCode, 200);
      const body = res.json();
      assert.equal(body.publication.slug, 'tech-matin');
      assert.equal(body.edition.date, '2026-03-02');
    });

    await t.test('a draft is never public: not in the archive, page and JSON are 404 in its language', async () => {
      const archive = await n.app.inject('/policy-morning');
      assert.doesNotMatch(archive.body, /2026-03-02/);
      const page = await n.app.inject('/policy-morning/2026-03-02');
      assert.equal(page.statusCode, 404);
      assert.match(page.body, /lang="en"/);
      assert.match(page.body, /Page not found/);
      const json = await n.app.inject('/policy-morning/2026-03-02.json');
      assert.equal(json.statusCode, 404);
      assert.equal(json.json().error.code, 'not-found');
      const feed = await n.app.inject('/policy-morning/feed.xml');
      assert.doesNotMatch(feed.body, /2026-03-02/);
    });

    await t.test('404 pages speak the publication’s language', async () => {
      const fr = await n.app.inject('/tech-matin/2020-01-01');
      assert.equal(fr.statusCode, 404);
      assert.match(fr.body, /lang="fr"/);
      assert.match(fr.body, /Page introuvable/);
      const unknown = await n.app.inject('/no-such-thing');
      assert.equal(unknown.statusCode, 404);
      assert.match(unknown.body, /Page not found/);
      const deep = await n.app.inject('/tech-matin/a/b/c');
      assert.equal(deep.statusCode, 404);
      assert.match(deep.body, /Page introuvable/);
    });

    await t.test('feeds parse as XML and JSON and list the published edition', async () => {
      for (const file of ['feed.xml', 'atom.xml']) {
        const res = await n.app.inject(`/tech-matin/${file}`);
        assert.equal(res.statusCode, 200);
        const { DOMParser } = parseHTML('<html></html>');
        const xml = new DOMParser().parseFromString(res.body, 'text/xml');
        const links = file === 'feed.xml'
          ? [...xml.querySelectorAll('item > link')].map((l) => l.textContent)
          : [...xml.querySelectorAll('entry > link')].map((l) => l.getAttribute('href'));
        assert.deepEqual(links, ['http://news.test/tech-matin/2026-03-02'], file);
        assert.match(res.body, /^<\?xml/);
      }
      const json = await n.app.inject('/tech-matin/feed.json');
      assert.equal(json.statusCode, 200);
      const feed = json.json();
      assert.equal(feed.items.length, 1);
      assert.equal(feed.items[0].url, 'http://news.test/tech-matin/2026-03-02');
    });

    await t.test('author text is escaped in pages and feeds', async () => {
      // Raw HTML is a parse error, in the body and the front matter alike (never published); markup characters
      // that are not HTML stay plain text in the subject, which reaches every list.
      const evil = sampleSource('tech-matin')
        .replace('date: 2026-03-02', 'date: 2026-03-03\nsubject: "1 < 2 > 0 Tom & Jerry"');
      const saved = await saveEdition(n.store, { publicationId: n.ids.techMatin, date: '2026-03-03', source: evil, author: 'x' }, { clock: n.clock });
      // Published without review only to look at the output; the real workflow is tested elsewhere.
      await n.store.db.updateTable('editions').set({ status: 'approved' }).where('id', '=', saved.editionId).execute();
      n.clock.set('2026-03-03T05:00:00Z'); // its date has come: no longer under embargo
      for (const url of ['/', '/tech-matin', '/tech-matin/2026-03-03']) {
        const res = await n.app.inject(url);
        assert.equal(res.statusCode, 200, url);
        assert.match(res.body, /1 &lt; 2 &gt; 0 Tom &amp; Jerry/, url);
        assert.doesNotMatch(res.body, /1 < 2/, url);
      }
      // Feeds: the subject is text wherever a reader takes it (Atom titles are HTML, so escaped there).
      const { DOMParser } = parseHTML('<html></html>');
      const rss = new DOMParser().parseFromString((await n.app.inject('/tech-matin/feed.xml')).body, 'text/xml');
      assert.equal(rss.querySelector('item > title')?.textContent, '1 < 2 > 0 Tom & Jerry');
      const atom = new DOMParser().parseFromString((await n.app.inject('/tech-matin/atom.xml')).body, 'text/xml');
      assert.equal(atom.querySelector('entry > title')?.textContent, '1 &lt; 2 &gt; 0 Tom &amp; Jerry');
      const json = (await n.app.inject('/tech-matin/feed.json')).json();
      assert.equal(json.items[0].title, '1 < 2 > 0 Tom & Jerry');
      const archive = await n.app.inject('/tech-matin');
      assert.match(archive.body, /1 &lt; 2 &gt; 0 Tom &amp; Jerry/);
    });

    await t.test('with a relay configured, an edition is public once its send started (sending or sent), not before', async () => {
      const relayed = await newsroom(backend, { smtpUrls: ['smtp://relay.test:587'] });
      try {
        const moveTo = (status: 'scheduled' | 'sending' | 'sent') =>
          transitionEdition(relayed.store, relayed.ids.techEdition, status, { kind: 'system', name: 'test' }, { clock: relayed.clock });
        for (const status of ['approved', 'scheduled'] as const) {
          if (status !== 'approved') await moveTo(status);
          assert.equal((await relayed.app.inject('/tech-matin/2026-03-02')).statusCode, 404, status);
          assert.doesNotMatch((await relayed.app.inject('/tech-matin')).body, /2026-03-02/, status);
        }
        // Readers who got the mail during a long send click « view in browser ».
        for (const status of ['sending', 'sent'] as const) {
          await moveTo(status);
          assert.equal((await relayed.app.inject('/tech-matin/2026-03-02')).statusCode, 200, status);
          assert.equal((await relayed.app.inject('/tech-matin/2026-03-02.json')).statusCode, 200, status);
          assert.match((await relayed.app.inject('/tech-matin')).body, /href="\/tech-matin\/2026-03-02"/, status);
          assert.match((await relayed.app.inject('/tech-matin/feed.xml')).body, /tech-matin\/2026-03-02/, status);
        }
      } finally {
        await relayed.close();
      }
    });

    await t.test('on the embedded default, an approved edition dated in the future stays under embargo until its date in the publication’s time zone', async () => {
      const demo = await newsroom(backend);
      try {
        const later = sampleSource('tech-matin').replace('date: 2026-03-02', 'date: 2026-03-05');
        const saved = await saveEdition(demo.store, { publicationId: demo.ids.techMatin, date: '2026-03-05', source: later, author: 'x' }, { clock: demo.clock });
        await transitionEdition(demo.store, saved.editionId, 'ready', { kind: 'person', email: 'jeanne.moreau@example.org' }, { clock: demo.clock });
        await transitionEdition(demo.store, saved.editionId, 'approved', { kind: 'person', email: 'lucie.fabre@example.org' }, { clock: demo.clock });
        const visible = async () => {
          const page = (await demo.app.inject('/tech-matin/2026-03-05')).statusCode;
          const json = (await demo.app.inject('/tech-matin/2026-03-05.json')).statusCode;
          const lists = await Promise.all(['/', '/tech-matin', '/tech-matin/feed.xml', '/tech-matin/atom.xml', '/tech-matin/feed.json'].map(async (url) => /2026-03-05/.test((await demo.app.inject(url)).body)));
          return { page, json, lists };
        };
        // 2026-03-04 23:30 in Paris: still the day before.
        demo.clock.set('2026-03-04T22:30:00Z');
        assert.deepEqual(await visible(), { page: 404, json: 404, lists: [false, false, false, false, false] });
        // The home page's latest edition is the latest public one, not the embargoed one.
        assert.match((await demo.app.inject('/')).body, /href="\/tech-matin\/2026-03-02"/);
        // Midnight in Paris (still the 4th in UTC): its date has come.
        demo.clock.set('2026-03-04T23:00:00Z');
        assert.deepEqual(await visible(), { page: 200, json: 200, lists: [true, true, true, true, true] });
      } finally {
        await demo.close();
      }
    });
  });
}
