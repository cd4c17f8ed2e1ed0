// The public site's kept pages (web/page-cache.ts): a change to an edition or
// its publication shows on the very next request, whoever made it (here the
// store directly, as another process would); ETags change with the page and a
// matching If-None-Match gets 304; an edition that stops being public is 404
// at once, its page never served from the cache.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { testBackends } from '../helpers/store.ts';
import { AUTHOR, EDITOR, newsroom, samplePublication, sampleSource } from './harness.ts';
import { saveEdition, transitionEdition } from '../../src/store/editions.ts';
import { upsertPublication } from '../../src/store/publications.ts';
import { cachedPage, PageCache } from '../../src/web/page-cache.ts';

const author = { kind: 'person', email: AUTHOR.email } as const;
const editor = { kind: 'person', email: EDITOR.email } as const;

test('the page cache keeps the most recently used pages within its bounds, and only under the same guard', () => {
  const cache = new PageCache({ entries: 2, bytes: 10 });
  const page = (text: string) => cachedPage(text, 'text/plain');
  cache.set('a', 'g', page('aaaa'));
  cache.set('b', 'g', page('bbbb'));
  assert.ok(cache.get('a', 'g')); // a is now the most recently used
  cache.set('c', 'g', page('cc'));
  assert.equal(cache.get('b', 'g'), undefined, 'the least recently used page went first');
  assert.deepEqual(cache.size, { entries: 2, bytes: 6 });
  cache.set('d', 'g', page('dddddd')); // 4 + 2 + 6 bytes > 10: the oldest (a) goes
  assert.equal(cache.get('a', 'g'), undefined);
  assert.deepEqual(cache.size, { entries: 2, bytes: 8 });
  assert.equal(cache.get('d', 'other settings'), undefined, 'another guard is a miss');
  assert.equal(cache.get('d', 'g'), undefined, 'and drops the stale page');
  cache.set('huge', 'g', page('x'.repeat(11)));
  assert.equal(cache.get('huge', 'g'), undefined, 'a page over the byte bound is not kept');
  assert.equal(page('same').etag, page('same').etag);
  assert.notEqual(page('same').etag, page('other').etag);
});

test('requests that miss the same page at once wait for one build', async () => {
  const cache = new PageCache();
  let builds = 0;
  const build = async () => {
    builds += 1;
    await new Promise((resolve) => setTimeout(resolve, 10));
    return cachedPage('the page', 'text/plain');
  };
  const pages = await Promise.all([1, 2, 3, 4].map(() => cache.fill('k', 'g', build)));
  assert.equal(builds, 1);
  assert.ok(pages.every((p) => p === pages[0]));
  await cache.fill('k', 'other guard', build);
  assert.equal(builds, 2, 'another guard is another build');
  const failing = async () => {
    builds += 1;
    throw new Error('render failed');
  };
  await assert.rejects(cache.fill('bad', 'g', failing), /render failed/);
  await assert.rejects(cache.fill('bad', 'g', failing), /render failed/, 'a failed build is not kept: the next request tries again');
  assert.equal(builds, 4);
});

for (const backend of await testBackends()) {
  test(`kept public pages on ${backend.name}`, async (t) => {
    const n = await newsroom(backend);
    t.after(() => n.close());
    const url = '/tech-matin/2026-03-02';

    await t.test('the edition page and JSON carry an ETag; If-None-Match with it gets 304, another tag the page', async () => {
      for (const address of [url, `${url}.json`]) {
        const first = await n.app.inject(address);
        assert.equal(first.statusCode, 200);
        const etag = String(first.headers.etag);
        assert.match(etag, /^"[\w-]+"$/);
        assert.equal(first.headers['cache-control'], 'public, max-age=60');
        const again = await n.app.inject({ url: address, headers: { 'if-none-match': etag } });
        assert.equal(again.statusCode, 304);
        assert.equal(again.body, '');
        assert.equal(again.headers.etag, etag);
        const weak = await n.app.inject({ url: address, headers: { 'if-none-match': `"nope", W/${etag}` } });
        assert.equal(weak.statusCode, 304, 'a list with the weak form of the tag');
        const other = await n.app.inject({ url: address, headers: { 'if-none-match': '"something-else"' } });
        assert.equal(other.statusCode, 200);
        assert.equal(other.body, first.body);
      }
    });

    await t.test('a new version shows at once, with another ETag', async () => {
      const before = await n.app.inject(url);
      const source = sampleSource('tech-matin').replace('Le gouvernement présente', 'Le gouvernement rectifié présente');
      assert.notEqual(source, sampleSource('tech-matin'));
      // Saving sends the approved edition back to ready: off the public site at once…
      await saveEdition(n.store, { publicationId: n.ids.techMatin, date: '2026-03-02', source, author: AUTHOR.email }, { clock: n.clock });
      assert.equal((await n.app.inject(url)).statusCode, 404);
      assert.equal((await n.app.inject({ url, headers: { 'if-none-match': String(before.headers.etag) } })).statusCode, 404, 'no 304 for what is not public');
      assert.equal((await n.app.inject(`${url}.json`)).statusCode, 404);
      assert.doesNotMatch((await n.app.inject('/tech-matin')).body, /2026-03-02/);
      // …and approved again, the new text at once (the clock has not moved: the version decides, not a time).
      await transitionEdition(n.store, n.ids.techEdition, 'approved', editor, { clock: n.clock });
      const after = await n.app.inject(url);
      assert.equal(after.statusCode, 200);
      assert.match(after.body, /rectifié/);
      assert.notEqual(after.headers.etag, before.headers.etag);
      const stale = await n.app.inject({ url, headers: { 'if-none-match': String(before.headers.etag) } });
      assert.equal(stale.statusCode, 200, 'the old ETag no longer matches');
      assert.match((await n.app.inject(`${url}.json`)).body, /rectifié/);
      assert.match((await n.app.inject('/tech-matin/feed.json')).body, /rectifié/);
    });

    await t.test('new publication settings show at once on every kept page, even within the same millisecond', async () => {
      const pages = [url, `${url}.json`, '/tech-matin', '/tech-matin/feed.xml', '/tech-matin/atom.xml', '/tech-matin/feed.json'];
      const before = await Promise.all(pages.map((p) => n.app.inject(p)));
      for (const [i, res] of before.entries()) assert.doesNotMatch(res.body, /Tech Matin Renamed/, pages[i]);
      await upsertPublication(n.store, { ...samplePublication('tech-matin'), name: 'Tech Matin Renamed' }, { actor: 'test', clock: n.clock });
      for (const [i, p] of pages.entries()) {
        const res = await n.app.inject(p);
        assert.equal(res.statusCode, 200, p);
        assert.match(res.body, /Tech Matin Renamed/, p);
        if (before[i]!.headers.etag) assert.notEqual(res.headers.etag, before[i]!.headers.etag, p);
      }
      await upsertPublication(n.store, samplePublication('tech-matin'), { actor: 'test', clock: n.clock });
    });

    await t.test('an edition sent back to draft is 404 at once, page and JSON, and leaves the lists', async () => {
      assert.equal((await n.app.inject(url)).statusCode, 200);
      assert.equal((await n.app.inject(`${url}.json`)).statusCode, 200);
      await transitionEdition(n.store, n.ids.techEdition, 'draft', editor, { clock: n.clock });
      assert.equal((await n.app.inject(url)).statusCode, 404);
      assert.equal((await n.app.inject(`${url}.json`)).statusCode, 404);
      for (const list of ['/tech-matin', '/tech-matin/feed.xml', '/tech-matin/feed.json']) {
        assert.doesNotMatch((await n.app.inject(list)).body, /2026-03-02/, list);
      }
      await transitionEdition(n.store, n.ids.techEdition, 'ready', author, { clock: n.clock });
      await transitionEdition(n.store, n.ids.techEdition, 'approved', editor, { clock: n.clock });
      assert.equal((await n.app.inject(url)).statusCode, 200);
    });

    await t.test('a draft is never public, however often it is asked for', async () => {
      for (let i = 0; i < 3; i++) {
        assert.equal((await n.app.inject('/policy-morning/2026-03-02')).statusCode, 404);
        assert.equal((await n.app.inject('/policy-morning/2026-03-02.json')).statusCode, 404);
      }
      assert.doesNotMatch((await n.app.inject('/policy-morning/feed.xml')).body, /2026-03-02/);
    });

    await t.test('feeds carry an ETag, 304 on a match, and a newly published edition shows at once', async () => {
      const feed = await n.app.inject('/tech-matin/feed.xml');
      assert.equal(feed.headers['cache-control'], 'public, max-age=300');
      const etag = String(feed.headers.etag);
      assert.equal((await n.app.inject({ url: '/tech-matin/feed.xml', headers: { 'if-none-match': etag } })).statusCode, 304);
      const next = sampleSource('tech-matin').replace('date: 2026-03-02', 'date: 2026-03-01');
      const saved = await saveEdition(n.store, { publicationId: n.ids.techMatin, date: '2026-03-01', source: next, author: AUTHOR.email }, { clock: n.clock });
      assert.doesNotMatch((await n.app.inject('/tech-matin/feed.xml')).body, /2026-03-01/, 'a draft is not in it');
      await transitionEdition(n.store, saved.editionId, 'ready', author, { clock: n.clock });
      await transitionEdition(n.store, saved.editionId, 'approved', editor, { clock: n.clock });
      const after = await n.app.inject({ url: '/tech-matin/feed.xml', headers: { 'if-none-match': etag } });
      assert.equal(after.statusCode, 200);
      assert.match(after.body, /2026-03-01/);
      assert.match((await n.app.inject('/tech-matin')).body, /href="\/tech-matin\/2026-03-01"/);
    });

    await t.test('the subscribe page of its own carries the form with a CSRF token', async () => {
      const res = await n.app.inject('/tech-matin/subscribe');
      assert.equal(res.statusCode, 200);
      assert.match(res.body, /<form method="post" action="\/tech-matin\/subscribe">/);
      assert.match(res.body, /name="_csrf" value="[^"]+"/);
      assert.equal((await n.app.inject('/no-such/subscribe')).statusCode, 404);
    });
  });
}
