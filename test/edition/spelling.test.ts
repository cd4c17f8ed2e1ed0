import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createSpellChecker,
  dictionaryFor,
  isUncheckable,
  knownWordsOf,
  newsroomWordsFor,
  readWordList,
  tokenize,
  wordListPathFor,
} from '../../src/edition/spelling.ts';
import { publication } from './lint/lint-helper.ts';

test('tokenize: elisions and compounds stay one word, addresses and punctuation are left out', () => {
  const text = "L’Arcep et l'État, aujourd'hui, un start-up — voir https://example.org/a-b ou a.b@example.org.";
  assert.deepEqual(
    tokenize(text).map((t) => t.word),
    ['L’Arcep', 'et', "l'État", "aujourd'hui", 'un', 'start-up', 'voir', 'ou'],
  );
  const t = tokenize(text).find((x) => x.word === 'start-up')!;
  assert.equal(text.slice(t.offset, t.offset + 8), 'start-up');
});

test('isUncheckable: numbers, codes and short acronyms are not dictionary words', () => {
  for (const w of ['2026', '5G', 'PLF2025', 'CNIL', 'UE', 'a', 'l’AIM', "d'UE"]) assert.equal(isUncheckable(w), true, w);
  for (const w of ['Arcep', 'maison', 'INTERNATIONALE', 'l’Arcep']) assert.equal(isUncheckable(w), false, w);
});

test('French: dictionary words, inflections, elisions and hyphenated compounds are known; typos are not', async () => {
  const fr = await createSpellChecker('fr');
  for (const w of ['gouvernement', 'raccordés', 'l’hôpital', "qu'on", 'peut-être', 'dit-il', 'Conseil', 'franco-allemand']) {
    assert.equal(fr.isKnown(w), true, w);
  }
  for (const w of ['gouvernemant', 'l’Zorglub', 'présidnet']) assert.equal(fr.isKnown(w), false, w);
  assert.ok(fr.suggest('présidnet').includes('président'));
});

test('English: American and British spellings and possessives are known; typos are not', async () => {
  const en = await createSpellChecker('en', ['Ofcom']);
  for (const w of ['regulator', 'it’s', "Ofcom's", 'OFCOM', 'color', 'colour', 'centres', 'organise']) assert.equal(en.isKnown(w), true, w);
  assert.equal(en.isKnown('regulater'), false);
});

test('known words: the team, the publication name and words, each word of a name, in any case', async () => {
  const pub = publication('fr', { words: ['Anssi'] });
  const known = knownWordsOf(pub, ['Jean-Baptiste Zorglub']);
  const fr = await createSpellChecker('fr', known);
  for (const w of ['Quillévéré', 'QUILLÉVÉRÉ', 'Anssi', 'l’Anssi', 'Zorglub', 'Jean-Baptiste']) assert.equal(fr.isKnown(w), true, w);
  // Known words belong to one checker: another one does not see them.
  const other = await createSpellChecker('fr');
  assert.equal(other.isKnown('Zorglub'), false);
});

test('dictionaries are loaded once per language', async () => {
  assert.equal(dictionaryFor('fr'), dictionaryFor('fr'));
  assert.equal(await dictionaryFor('en'), await dictionaryFor('en'));
});

test('word lists: one word a line, comments and blank lines ignored, beside the publication file', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'words-'));
  const file = join(dir, 'x.words.txt');
  writeFileSync(file, '# la rédaction\nArcep\n\n  Jean Dupont  \r\ndatacenter # accepté\n');
  assert.deepEqual(await readWordList(file), ['Arcep', 'Jean Dupont', 'datacenter']);
  assert.equal(wordListPathFor('publications/tech-matin.yaml', 'tech-matin'), join('publications', 'tech-matin.words.txt'));
});

test('newsroomWordsFor: --words first, else the list beside the publication settings, else none', async () => {
  const editionPath = 'test/fixtures/lint/clean.md';
  assert.deepEqual(await newsroomWordsFor({ editionPath, slug: 'aube-numerique' }), ['Arcep', 'datacenter']);
  assert.deepEqual(await newsroomWordsFor({ editionPath, slug: 'aube-numerique', wordsFile: 'test/fixtures/lint/other.words.txt' }), ['vidéaste']);
  assert.deepEqual(await newsroomWordsFor({ editionPath, slug: 'no-such-publication' }), []);
});
