import { test } from 'node:test';
import assert from 'node:assert/strict';
import { displayLength, wrap } from '../../src/render/text-wrap.ts';

test('characters are counted as a reader sees them, not as bytes or UTF-16 units', () => {
  assert.equal(displayLength('Inès'), 4);
  assert.equal(displayLength('Ine\u0300s'), 4, 'a combining accent adds no character');
  assert.equal(displayLength('👍🏽 ok'), 4, 'an emoji with its skin tone is one character');
  assert.equal(displayLength('«\u202fserré\u202f»'), 9);
});

test('lines break at ordinary spaces only, never at no-break spaces', () => {
  const lines = wrap('aaaa bbbb cccc\u00a0dddd eeee', { width: 12 });
  assert.deepEqual(lines, ['aaaa bbbb', 'cccc\u00a0dddd', 'eeee']);
});

test('a word longer than the line keeps a line of its own, uncut', () => {
  const url = 'https://example.org/' + 'x'.repeat(100);
  assert.deepEqual(wrap(`voir ${url} ici`, { width: 20 }), ['voir', url, 'ici']);
});

test('prefixes hang: the first line gets the bullet, the next ones the indent', () => {
  assert.deepEqual(wrap('un deux trois quatre', { width: 10, firstPrefix: '- ', restPrefix: '  ' }), ['- un deux', '  trois', '  quatre']);
});

test('a forced break starts a new line', () => {
  assert.deepEqual(wrap('un\ndeux'), ['un', 'deux']);
});

test('accented text fills lines to exactly 78 characters at most', () => {
  const text = Array.from({ length: 60 }, () => 'élève').join(' ');
  const lines = wrap(text);
  for (const line of lines) assert.ok(displayLength(line) <= 78);
  assert.equal(displayLength(lines[0]!), 77);
});
