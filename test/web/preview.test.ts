// The live preview never holds the server: a long source is linted and
// rendered on a worker thread while /healthz answers, a newer preview of the
// same person and edition cancels the older one, and a source over the limit
// is refused with its length. One backend is enough: nothing here is the store's.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { testBackends } from '../helpers/store.ts';
import { AUTHOR, EDITOR, Visitor, newsroom, sampleSource } from './harness.ts';
import { MAX_SOURCE_LENGTH } from '../../src/web/edition-preview.ts';

/**
 * The sample and about `chars` more characters of words no dictionary knows:
 * each is looked up, and the first few get suggestions, the slowest part of
 * lint (about a quarter of a second each on an idle core).
 */
function unknownWords(chars: number): string {
  const head = sampleSource('tech-matin');
  const words: string[] = [];
  let seed = 7;
  let length = head.length;
  while (length < chars) {
    let word = '';
    for (let i = 0; i < 8; i++) {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      word += 'bcdfghjklmnpqrstvwxz'[seed % 20];
    }
    words.push(word);
    length += word.length + 1;
  }
  // Paragraphs of a hundred words under the sample's last story.
  const paragraphs: string[] = [];
  for (let i = 0; i < words.length; i += 100) paragraphs.push(words.slice(i, i + 100).join(' ') + '.');
  return `${head}\n${paragraphs.join('\n\n')}\n`;
}

const [backend] = await testBackends();

test('a long preview runs off the event loop; the newer preview of a person and edition cancels the older', async (t) => {
  const n = await newsroom(backend!);
  t.after(() => n.close());
  const author = new Visitor(n.app);
  await author.signIn(AUTHOR);
  const edition = n.ids.techEdition;
  const preview = (source: string, who: Visitor = author) => who.api('POST', '/api/editions/preview', { publication: 'tech-matin', edition, source });
  // The thread is started and its dictionaries loaded before anything is timed.
  assert.equal((await preview(sampleSource('tech-matin'))).statusCode, 200);

  await t.test('/healthz answers within a quarter of a long preview’s time while it runs', async () => {
    const long = unknownWords(8_000);
    const started = performance.now();
    let finished = 0;
    const running = preview(long).then((res) => {
      finished = performance.now();
      return res;
    });
    const latencies: number[] = [];
    while (!finished) {
      const asked = performance.now();
      const health = await n.app.inject('/healthz');
      assert.equal(health.statusCode, 200);
      if (!finished) latencies.push(performance.now() - asked);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const res = await running;
    assert.equal(res.statusCode, 200);
    assert.ok(res.json().diagnostics.some((d: { rule: string }) => /spell|unknown/.test(d.rule)), 'the words were checked');
    const took = finished - started;
    const worst = Math.max(...latencies);
    assert.ok(latencies.length >= 3, `/healthz asked ${latencies.length} time(s) during a ${Math.round(took)} ms preview`);
    assert.ok(worst < took / 4, `/healthz waited ${Math.round(worst)} ms during a ${Math.round(took)} ms preview`);
  });

  await t.test('a newer preview of the same person and edition cancels the older; another person’s is left alone', async () => {
    const editor = new Visitor(n.app);
    await editor.signIn(EDITOR);
    const long = unknownWords(8_000);
    const older = preview(long);
    const theirs = preview(sampleSource('tech-matin'), editor);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const newer = await preview(sampleSource('tech-matin'));
    assert.equal(newer.statusCode, 200);
    const cancelled = await older;
    assert.equal(cancelled.statusCode, 409);
    assert.equal(cancelled.json().error.code, 'superseded');
    assert.equal((await theirs).statusCode, 200);
  });

  await t.test('a source over the limit is refused with its length, for a preview and a save', async () => {
    const huge = unknownWords(MAX_SOURCE_LENGTH + 1_000);
    const res = await preview(huge);
    assert.equal(res.statusCode, 400);
    assert.match(res.json().error.message, new RegExp(`The source is ${huge.length.toLocaleString('en')} characters long; an edition holds at most 200,000`));
    const save = await author.api('POST', `/api/editions/${edition}`, { source: huge });
    assert.equal(save.statusCode, 400);
    assert.match(save.json().error.message, /an edition holds at most 200,000/);
  });
});
