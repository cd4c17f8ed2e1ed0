import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lintBody, p, placeOf, placesOf } from './lint-helper.ts';
import { unknownWord } from '../../../src/edition/lint/unknown-word.ts';

test('unknown-word: a misspelt word is reported at its place, with suggestions', async () => {
  const { source, diagnostics } = await lintBody('# Le fait du jour\n\nLe gouvernemant présente son plan.\n');
  assert.deepEqual(placesOf(diagnostics, 'unknown-word'), [p(placeOf(source, 'gouvernemant'))]);
  assert.match(diagnostics.find((d) => d.rule === 'unknown-word')!.message, /gouvernement/);
});

test('unknown-word: English copy is checked with the English dictionary', async () => {
  const { source, diagnostics } = await lintBody('# Top story\n\nThe regulater sets a date.\n', 'en');
  assert.deepEqual(placesOf(diagnostics, 'unknown-word'), [p(placeOf(source, 'regulater'))]);
});

test('unknown-word: team names, the publication name, word list, byline, acronyms, numbers and addresses are known', async () => {
  const body =
    '# Le fait du jour\n\nMargaux Quillévéré et Réveil parlent à l’Ofcom, à la CNIL et au G7 en 2026,\n' +
    'voir https://example.org/xyzzy ou écrire à zorglub@example.org.\n';
  const { diagnostics } = await lintBody(body, 'fr', ['Ofcom']);
  assert.deepEqual(placesOf(diagnostics, 'unknown-word'), []);
  const without = await lintBody(body, 'fr');
  assert.deepEqual(without.diagnostics.filter((d) => d.rule === 'unknown-word').map((d) => /« (\S+) »/.exec(d.message)![1]), ['Ofcom']);
});

test('unknown-word: no suggestion for a capitalised word (a name), nor when suggestions are off', async () => {
  const { diagnostics } = await lintBody('# Le fait du jour\n\nZorglubine rencontre le gouvernemant.\n');
  const messages = diagnostics.filter((d) => d.rule === 'unknown-word').map((d) => d.message);
  assert.equal(messages.length, 2);
  assert.doesNotMatch(messages[0]!, /did you mean/);
  assert.match(messages[1]!, /did you mean/);
  const off = await lintBody('# Le fait du jour\n\nZorglubine rencontre le gouvernemant.\n', 'fr', [], false);
  assert.ok(off.diagnostics.filter((d) => d.rule === 'unknown-word').every((d) => !/did you mean/.test(d.message)));
});

test('unknown-word: at most five suggestion lookups per edition, even for words the dictionary has nothing for', () => {
  // Hunspell spends about a quarter of a second on each lookup, found or not:
  // a source of made-up words must not pay it once per distinct word.
  const letters = 'bcdfghjklmnpqrstvwxz';
  const words = Array.from({ length: 40 }, (_, i) => `zqx${letters[i % 20]}${letters[Math.floor(i / 20)]}`);
  const value = words.join(' ');
  let lookups = 0;
  const spelling = { isKnown: () => false, suggest: () => (lookups++, []), closeCommonWord: () => undefined };
  const reported: string[] = [];
  unknownWord.check({
    edition: {} as never,
    texts: [{ value, offsets: [...value].map((_, i) => i), place: {} as never, before: '' }],
    spelling,
    suggest: true,
    report: (_rule, _offset, message) => reported.push(message),
  });
  assert.equal(reported.length, 40, 'every word still reported');
  assert.equal(lookups, 5);
});
