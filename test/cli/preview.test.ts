import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startPreview } from '../../src/cli/preview.ts';

const FIXTURES = fileURLToPath(new URL('../fixtures/render/', import.meta.url));

/** A copy of the French fixture in a temporary folder, with its publications beside it. */
function workspace(): { dir: string; file: string } {
  const dir = mkdtempSync(join(tmpdir(), 'matinale-preview-'));
  cpSync(join(FIXTURES, 'publications'), join(dir, 'publications'), { recursive: true });
  const file = join(dir, 'edition.md');
  writeFileSync(file, readFileSync(join(FIXTURES, 'tech-matin/input.md')));
  return { dir, file };
}

test('the preview serves its page, the email, the text and the web page over HTTP', async (t) => {
  const { dir, file } = workspace();
  const preview = await startPreview({ file, publicUrl: 'https://news.example.org', port: 0 });
  t.after(async () => {
    await preview.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const get = async (path: string) => {
    const res = await fetch(new URL(path, preview.url));
    return { status: res.status, type: res.headers.get('content-type'), body: await res.text() };
  };
  const page = await get('/');
  assert.equal(page.status, 200);
  assert.match(page.body, /<iframe id="email-desktop"[^>]*width="640"/);
  assert.match(page.body, /<iframe id="email-phone"[^>]*width="375"/);
  assert.match(page.body, /<iframe id="text"/);
  assert.match(page.body, /<iframe id="web"/);
  assert.match(page.body, /new EventSource\('\/events'\)/);
  const email = await get('/email.html');
  assert.equal(email.type, 'text/html; charset=utf-8');
  assert.match(email.body, /<h1 class="mt-title"/);
  assert.doesNotMatch(email.body, /%%[a-z_]+%%/, 'placeholders filled with sample values');
  const text = await get('/text.txt');
  assert.equal(text.type, 'text/plain; charset=utf-8');
  assert.match(text.body, /^TECH MATIN$/m);
  assert.match((await get('/web.html')).body, /<link rel="canonical" href="https:\/\/news\.example\.org\/tech-matin\/2026-03-02">/);
  assert.equal((await get('/nothing')).status, 404);
});

test('saving the edition pushes an event, and the new diagnostics and renderings follow', async (t) => {
  const { dir, file } = workspace();
  const preview = await startPreview({ file, publicUrl: 'https://news.example.org', port: 0 });
  const controller = new AbortController();
  t.after(async () => {
    controller.abort();
    await preview.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const events = await fetch(new URL('/events', preview.url), { signal: controller.signal });
  assert.equal(events.headers.get('content-type'), 'text/event-stream');
  const reader = events.body!.getReader();
  const decoder = new TextDecoder();
  const nextEvent = async () => {
    let buffer = '';
    while (!buffer.includes('\n\n')) buffer += decoder.decode((await reader.read()).value);
    return JSON.parse(buffer.replace(/^data: /, '').trim()) as { version: number };
  };
  const first = await nextEvent();

  // A save that breaks the edition: the panel shows the error, the last good renderings stay.
  let changed = preview.nextVersion();
  writeFileSync(file, readFileSync(file, 'utf8').replace('# Marché', '# Marché\n\n<b>raw html</b>'));
  await changed;
  assert.ok((await nextEvent()).version > first.version);
  const panel = await (await fetch(new URL('/diagnostics.html', preview.url))).text();
  assert.match(panel, /edition\.md:\d+:1 error /);
  assert.match(panel, /last version without errors/);
  assert.equal((await fetch(new URL('/email.html', preview.url))).status, 200);

  // A save that fixes it and changes a kicker: the renderings follow.
  changed = preview.nextVersion();
  writeFileSync(file, readFileSync(join(FIXTURES, 'tech-matin/input.md'), 'utf8').replace("## Les câbles d'abord.", '## La fibre partout.'));
  await changed;
  await nextEvent();
  assert.match(await (await fetch(new URL('/text.txt', preview.url))).text(), /^LA FIBRE PARTOUT\. /m);
  assert.doesNotMatch(await (await fetch(new URL('/diagnostics.html', preview.url))).text(), / error /);
});
