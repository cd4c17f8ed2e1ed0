// `matinale site build --out DIR`: the whole public archive as static files,
// at the app's URL shapes, so that every link among them resolves within DIR;
// every published edition there, no draft and no embargoed edition anywhere;
// author text escaped; forms that need the app pointing at --app-url. DIR is
// refused when it is a file or not empty (without --force), and a refused or
// finished build leaves no temporary folder behind.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { parseHTML } from 'linkedom';
import { cliBackends, runMatinale } from '../helpers/cli-database.ts';
import { migrateToLatest } from '../../src/store/migrate.ts';
import { upsertPublication } from '../../src/store/publications.ts';
import { saveEdition } from '../../src/store/editions.ts';
import { samplePublication, sampleSource } from '../web/harness.ts';
import type { Store } from '../../src/store/db.ts';
import type { EditionStatus } from '../../src/store/schema.ts';

const ARCHIVE = 'https://archive.example.org';
const APP = 'https://news.example.org';
const DRAFT_WORD = 'Brouillonissime';

/** Every file under `dir`, as `/`-separated paths relative to it. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((p) => statSync(join(dir, p)).isFile())
    .map((p) => p.split('\\').join('/'))
    .sort();
}

async function edition(store: Store, publicationId: number, slug: 'tech-matin' | 'policy-morning', date: string, status: EditionStatus, change = (s: string) => s) {
  const source = change(sampleSource(slug).replace('date: 2026-03-02', `date: ${date}`));
  const saved = await saveEdition(store, { publicationId, date, source, author: 'test' });
  // Moved straight to its status: the workflow is tested elsewhere, here only what the archive shows.
  await store.db.updateTable('editions').set({ status }).where('id', '=', saved.editionId).execute();
}

/** Where a root path of the archive is served from: the file itself, or the folder's index.html. */
function servedFile(dir: string, path: string): string | undefined {
  const plain = join(dir, decodeURIComponent(path));
  if (existsSync(plain) && statSync(plain).isFile()) return plain;
  const index = join(plain, 'index.html');
  return existsSync(index) ? index : undefined;
}

for (const backend of await cliBackends()) {
  test(`${backend.name}: \`site build\` writes the public archive as static files whose links resolve within the folder`, { timeout: 120_000 }, async () => {
    const db = await backend.create();
    try {
      const store = db.open();
      try {
        await migrateToLatest(store);
        const tech = await upsertPublication(store, samplePublication('tech-matin'), { actor: 'test' });
        const policy = await upsertPublication(store, samplePublication('policy-morning'), { actor: 'test' });
        await edition(store, tech.id, 'tech-matin', '2026-03-02', 'approved');
        await edition(store, tech.id, 'tech-matin', '2026-03-03', 'sent', (s) => s.replace('date: 2026-03-03', 'date: 2026-03-03\nsubject: "1 < 2 > 0 Tom & Jerry"'));
        await edition(store, tech.id, 'tech-matin', '2026-03-04', 'ready', (s) => s.replace('Le gouvernement', `${DRAFT_WORD} Le gouvernement`));
        // Approved, but dated far ahead: under embargo until then.
        await edition(store, tech.id, 'tech-matin', '2099-01-01', 'approved', (s) => s.replace('Le gouvernement', `${DRAFT_WORD} Le gouvernement`));
        await edition(store, policy.id, 'policy-morning', '2026-03-02', 'draft', (s) => s.replace(/^(#+ .*)$/m, `$1 ${DRAFT_WORD}`));
      } finally {
        await store.close();
      }

      const out = join(db.dir, 'public', 'site');
      const built = await runMatinale(['site', 'build', '--out', out, '--public-url', `${ARCHIVE}/`, '--app-url', APP, '--json'], db.env);
      assert.equal(built.status, 0, built.stderr);
      const report = JSON.parse(built.stdout);
      const files = filesUnder(out);
      assert.equal(report.files, files.length);
      assert.deepEqual(readdirSync(dirname(out)), ['site'], 'no temporary folder left beside it');

      // Every published edition, at the app's URL shapes; nothing else of the editions.
      assert.deepEqual(
        files.filter((f) => /\d{4}-\d{2}-\d{2}/.test(f)),
        ['tech-matin/2026-03-02.json', 'tech-matin/2026-03-02/index.html', 'tech-matin/2026-03-03.json', 'tech-matin/2026-03-03/index.html'],
      );
      for (const f of ['index.html', '404.html', 'assets/site.css', 'assets/favicon.svg', 'tech-matin/index.html', 'policy-morning/index.html']) assert.ok(files.includes(f), f);
      for (const slug of ['tech-matin', 'policy-morning']) for (const feed of ['feed.xml', 'atom.xml', 'feed.json']) assert.ok(files.includes(`${slug}/${feed}`));
      const texts = new Map(files.map((f) => [f, readFileSync(join(out, f), 'utf8')]));
      for (const [f, text] of texts) {
        assert.doesNotMatch(text, new RegExp(DRAFT_WORD), `${f}: nothing of a draft or an embargoed edition`);
        assert.doesNotMatch(text, /2026-03-04|2099-01-01/, f);
      }
      assert.doesNotMatch(texts.get('policy-morning/index.html')!, /policy-morning\/2026-03-02/);

      // Author text escaped in every page that shows the subject.
      for (const f of ['index.html', 'tech-matin/index.html', 'tech-matin/2026-03-03/index.html']) {
        assert.match(texts.get(f)!, /1 &lt; 2 &gt; 0 Tom &amp; Jerry/, f);
        assert.doesNotMatch(texts.get(f)!, /1 < 2/, f);
      }
      const { DOMParser } = parseHTML('<html></html>');
      const rss = new DOMParser().parseFromString(texts.get('tech-matin/feed.xml')!, 'text/xml');
      assert.deepEqual([...rss.querySelectorAll('item > link')].map((l) => l.textContent), [`${ARCHIVE}/tech-matin/2026-03-03`, `${ARCHIVE}/tech-matin/2026-03-02`]);

      // Every link of every page: on the archive's own address it is a file of the folder; on the app's, only what needs the app.
      const toApp = new Set<string>();
      let checked = 0;
      for (const f of files.filter((name) => name.endsWith('.html'))) {
        const { document } = parseHTML(texts.get(f)!);
        const here = new URL(f === 'index.html' || f === '404.html' ? '/' : `/${f.replace(/\/?index\.html$/, '')}`, ARCHIVE);
        const refs = [...document.querySelectorAll('a[href], link[href]')].map((e) => e.getAttribute('href')!)
          .concat([...document.querySelectorAll('script[src], img[src]')].map((e) => e.getAttribute('src')!))
          .concat([...document.querySelectorAll('form[action]')].map((e) => e.getAttribute('action')!));
        for (const ref of refs) {
          const url = new URL(ref, here);
          if (url.origin === ARCHIVE) {
            checked += 1;
            assert.ok(servedFile(out, url.pathname), `${f}: ${ref} is not in the folder`);
          } else if (url.origin === APP) {
            toApp.add(url.pathname);
          }
        }
        for (const form of document.querySelectorAll('form')) {
          assert.notEqual(form.getAttribute('method'), 'post', `${f}: no form posts from a static page (no CSRF token there)`);
          assert.ok(form.getAttribute('action')!.startsWith(`${APP}/`), `${f}: a form goes to the app`);
        }
      }
      assert.ok(checked > 30, `links checked: ${checked}`);
      assert.deepEqual([...toApp].sort(), ['/newsroom', '/policy-morning', '/policy-morning/subscribe', '/policy-morning/tips', '/tech-matin', '/tech-matin/subscribe', '/tech-matin/tips']);
      assert.ok(relative(out, servedFile(out, '/tech-matin/2026-03-02')!) === 'tech-matin/2026-03-02/index.html');
    } finally {
      await db.dispose();
    }
  });
}

test('`site build` refuses a file or a folder with something in it, and --force replaces the folder whole', { timeout: 120_000 }, async () => {
  const [sqlite] = await cliBackends();
  const db = await sqlite!.create();
  try {
    const store = db.open();
    try {
      await migrateToLatest(store);
      const tech = await upsertPublication(store, samplePublication('tech-matin'), { actor: 'test' });
      await edition(store, tech.id, 'tech-matin', '2026-03-02', 'approved');
    } finally {
      await store.close();
    }
    const file = join(db.dir, 'a-file');
    writeFileSync(file, 'keep me');
    const onFile = await runMatinale(['site', 'build', '--out', file], db.env);
    assert.equal(onFile.status, 1);
    assert.match(onFile.stderr, /a-file: not a folder/);
    assert.equal(readFileSync(file, 'utf8'), 'keep me');

    const full = join(db.dir, 'full');
    mkdirSync(full);
    writeFileSync(join(full, 'old.txt'), 'old');
    const refused = await runMatinale(['site', 'build', '--out', full], db.env);
    assert.equal(refused.status, 1);
    assert.match(refused.stderr, /full: not empty; add --force/);
    assert.deepEqual(readdirSync(full), ['old.txt']);

    const badUrl = await runMatinale(['site', 'build', '--out', join(db.dir, 'new'), '--app-url', 'news.example.org'], db.env);
    assert.equal(badUrl.status, 2);
    assert.match(badUrl.stderr, /--app-url: "news.example.org" is not an absolute address/);

    // --force never deletes what is plainly not an old archive.
    mkdirSync(join(full, '.git'));
    const checkout = await runMatinale(['site', 'build', '--out', full, '--force'], db.env);
    assert.equal(checkout.status, 1);
    assert.match(checkout.stderr, /full: a git checkout; --force replaces only a folder of files/);
    const above = await runMatinale(['site', 'build', '--out', dirname(process.cwd()), '--force'], db.env);
    assert.equal(above.status, 1);
    assert.match(above.stderr, /the current folder or one that holds it/);
    rmSync(join(full, '.git'), { recursive: true });

    const forced = await runMatinale(['site', 'build', '--out', full, '--force'], db.env);
    assert.equal(forced.status, 0, forced.stderr);
    assert.ok(!existsSync(join(full, 'old.txt')), 'the old content is gone');
    assert.ok(existsSync(join(full, 'tech-matin', '2026-03-02', 'index.html')));
    assert.deepEqual(readdirSync(db.dir).filter((n) => n.includes('building')), [], 'no temporary folder left');
  } finally {
    await db.dispose();
  }
});
