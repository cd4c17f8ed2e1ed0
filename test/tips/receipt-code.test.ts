// The receipt code: 80 random bits and a checksum as 8 words of a 2048-word
// list per language; read back in any case and spacing, with typos refused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { CODE_WORDS, RANDOM_BITS, newReceiptCode, readReceiptCode, wordList } from '../../src/tips/receipt-code.ts';

for (const language of ['fr', 'en'] as const) {
  test(`${language}: the list has 2048 distinct plain words, each with its own first four letters`, () => {
    const words = wordList(language);
    assert.equal(words.length, 2048);
    assert.equal(new Set(words).size, 2048);
    assert.equal(new Set(words.map((w) => w.slice(0, 4))).size, 2048);
    for (const w of words) assert.match(w, /^[a-z]{4,6}$/);
  });

  test(`${language}: a code carries at least 80 random bits, as 8 words`, () => {
    assert.ok(RANDOM_BITS >= 80);
    assert.ok(CODE_WORDS * Math.log2(wordList(language).length) >= RANDOM_BITS + 8);
    const code = newReceiptCode(language);
    assert.equal(code.split(' ').length, 8);
    // Different random bytes, different codes; the same bytes, the same code.
    const bytes = randomBytes(10);
    assert.equal(newReceiptCode(language, bytes), newReceiptCode(language, Buffer.from(bytes)));
    const seen = new Set(Array.from({ length: 2000 }, () => newReceiptCode(language)));
    assert.equal(seen.size, 2000);
    // Every word position takes many values: the bits are spread over all 8 words.
    for (let i = 0; i < CODE_WORDS; i++) assert.ok(new Set([...seen].map((c) => c.split(' ')[i])).size > 500, `word ${i + 1}`);
  });

  test(`${language}: a code read back as a person types it gives the code`, () => {
    for (let i = 0; i < 200; i++) {
      const code = newReceiptCode(language);
      assert.deepEqual(readReceiptCode(code, language), { ok: true, code });
      const sloppy = `  ${code.toUpperCase().split(' ').join(' - ')}\n`;
      assert.deepEqual(readReceiptCode(sloppy, language), { ok: true, code });
    }
  });

  test(`${language}: a word not in the list is refused by its place, with the word it likely was`, () => {
    const code = newReceiptCode(language).split(' ');
    const third = code[2]!;
    code[2] = `${third}x`;
    const read = readReceiptCode(code.join(' '), language);
    assert.deepEqual(read, { ok: false, problem: { kind: 'unknown', word: `${third}x`, position: 3, suggestion: third } });
  });

  test(`${language}: a wrong word of the list is caught by the checksum (255 times in 256)`, () => {
    const words = wordList(language);
    let caught = 0;
    const tries = 2000;
    for (let i = 0; i < tries; i++) {
      const code = newReceiptCode(language).split(' ');
      const at = i % CODE_WORDS;
      code[at] = words[(words.indexOf(code[at]!) + 1 + (i % 2000)) % words.length]!;
      const read = readReceiptCode(code.join(' '), language);
      if (!read.ok) {
        assert.deepEqual(read.problem, { kind: 'checksum' });
        caught++;
      }
    }
    assert.ok(caught >= tries * 0.98, `${caught} of ${tries}`);
  });

  test(`${language}: a missing or extra word is refused with the count`, () => {
    const code = newReceiptCode(language).split(' ');
    assert.deepEqual(readReceiptCode(code.slice(1).join(' '), language), { ok: false, problem: { kind: 'count', count: 7 } });
    assert.deepEqual(readReceiptCode([...code, code[0]].join(' '), language), { ok: false, problem: { kind: 'count', count: 9 } });
  });
}
