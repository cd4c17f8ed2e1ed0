// Feeds carry each edition's whole text; each edition page advertises the
// feeds; /readyz answers 200 only while the database answers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { parseHTML } from 'linkedom';
import { TEST_DATABASE_URL, testBackends } from '../helpers/store.ts';
import { newsroom } from './harness.ts';
import { buildApp } from '../../src/web/app.ts';
import { openStore } from '../../src/store/db.ts';
import { migrateToLatest } from '../../src/store/migrate.ts';
import { FakeClock } from '../../src/clock.ts';

const backends = await testBackends();

for (const backend of backends) {
  test(`feeds carry the whole edition, and its page links to them, on ${backend.name}`, async (t) => {
    const n = await newsroom(backend);
    t.after(() => n.close());
    const { DOMParser } = parseHTML('<html></html>');

    // RSS content:encoded, Atom content and JSON content_html: the text of the last story, not only the subject.
    const rss = new DOMParser().parseFromString((await n.app.inject('/tech-matin/feed.xml')).body, 'text/xml');
    const encoded = rss.getElementsByTagName('content:encoded')[0]?.textContent ?? '';
    const atom = new DOMParser().parseFromString((await n.app.inject('/tech-matin/atom.xml')).body, 'text/xml');
    const content = atom.querySelector('entry > content');
    const json = (await n.app.inject('/tech-matin/feed.json')).json();
    for (const [format, text] of [['rss', encoded], ['atom', content?.textContent ?? ''], ['json', json.items[0].content_html as string]]) {
      assert.match(text!, /LES CÂBLES D’ABORD\./, `${format}: the first kicker`);
      assert.match(text!, /Le Conseil d’État examine mercredi le recours/, `${format}: a story's text`);
      assert.match(text!, /<a href="https:\/\/example.org\/plan-fibre"[^>]*>le ministère<\/a>/, `${format}: links kept`);
      assert.doesNotMatch(text!, /<script|<style|%%/, `${format}: no page furniture, no placeholder`);
    }
    assert.equal(content?.getAttribute('type'), 'html');

    const page = await n.app.inject('/tech-matin/2026-03-02');
    const { document } = parseHTML(page.body);
    const alternates = [...document.querySelectorAll('link[rel=alternate]')].map((l) => [l.getAttribute('type'), l.getAttribute('href')]);
    assert.deepEqual(alternates, [
      ['application/rss+xml', 'http://news.test/tech-matin/feed.xml'],
      ['application/atom+xml', 'http://news.test/tech-matin/atom.xml'],
      ['application/feed+json', 'http://news.test/tech-matin/feed.json'],
    ]);
  });
}

test('/readyz: 200 while SQLite answers, 503 once the store is closed', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'matinale-readyz-'));
  const store = openStore({ sqlitePath: join(dir, 'm.sqlite'), dataDir: dir });
  await migrateToLatest(store);
  const app = await buildApp({ store, config: { dataDir: dir, smtpUrls: [], publicUrl: 'http://news.test', secret: 'b'.repeat(64) }, clock: new FakeClock(0) });
  try {
    const ready = await app.inject('/readyz');
    assert.equal(ready.statusCode, 200);
    assert.deepEqual(ready.json(), { status: 'ready' });
    await store.db.destroy();
    const gone = await app.inject('/readyz');
    assert.equal(gone.statusCode, 503);
    assert.deepEqual(gone.json(), { status: 'not ready' });
  } finally {
    await app.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('/readyz: 200 while PostgreSQL answers, 503 once its database is dropped', { skip: backends.some((b) => b.name === 'postgres') ? false : 'no PostgreSQL' }, async () => {
  const name = `readyz_${randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await admin.connect();
  await admin.query(`create database ${name}`);
  const url = new URL(TEST_DATABASE_URL);
  url.pathname = `/${name}`;
  const dir = mkdtempSync(join(tmpdir(), 'matinale-readyz-'));
  const store = openStore({ databaseUrl: url.href, maxConnections: 2 });
  const app = await buildApp({ store, config: { dataDir: dir, smtpUrls: [], publicUrl: 'http://news.test', secret: 'b'.repeat(64) }, clock: new FakeClock(0) });
  try {
    assert.equal((await app.inject('/readyz')).statusCode, 200);
    // Its connections are ended with it: the pool's next query finds no database.
    await admin.query(`drop database ${name} with (force)`);
    const gone = await app.inject('/readyz');
    assert.equal(gone.statusCode, 503);
    assert.doesNotMatch(gone.body, new RegExp(name), 'nothing of the database in the answer');
  } finally {
    await app.close();
    await store.close().catch(() => {});
    await admin.query(`drop database if exists ${name} with (force)`);
    await admin.end();
    rmSync(dir, { recursive: true, force: true });
  }
});
