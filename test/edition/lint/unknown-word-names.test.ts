// Golden tests of names in the spelling check: elisions split off, a
// capitalised unknown word inside a sentence reported as info (a likely name),
// unless a usual typing slip of a common word explains it, and the start of a
// sentence left as it was (a warning).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lintBody, placeOf } from './lint-helper.ts';
import { opensSentence } from '../../../src/edition/lint/unknown-word.ts';

/** `line:column severity word` of each unknown-word diagnostic. */
function found(diagnostics: { rule: string; line: number; column: number; severity: string; word?: string }[]): string[] {
  return diagnostics.filter((d) => d.rule === 'unknown-word').map((d) => `${d.line}:${d.column} ${d.severity} ${d.word}`);
}

function at(source: string, needle: string, nth = 0, shift = 0): string {
  const { line, column } = placeOf(source, needle, nth, shift);
  return `${line}:${column}`;
}

test('names: an elided word is checked and reported without its elision, at its own column (both apostrophes)', async () => {
  const body = '# Le fait du jour\n\nLe texte de l’Apig, celui d\'Zorbalux et la note qu’Arcomix attendait.\n';
  const { source, diagnostics } = await lintBody(body);
  assert.deepEqual(found(diagnostics), [
    `${at(source, 'Apig')} info Apig`,
    `${at(source, 'Zorbalux')} info Zorbalux`,
    `${at(source, 'Arcomix')} info Arcomix`,
  ]);
  assert.match(diagnostics.find((d) => d.word === 'Apig')!.message, /« Apig », probably a name/);
  assert.doesNotMatch(diagnostics.map((d) => d.message).join('\n'), /l’Apig|qu’Arcomix/);
});

test('names: an elided word known to the word list is known, whatever the apostrophe', async () => {
  const { diagnostics } = await lintBody("# Le fait du jour\n\nLe texte de l’Apig et l'Apig encore, d’OpenAI et qu'OpenAI.\n", 'fr', ['Apig', 'OpenAI']);
  assert.deepEqual(found(diagnostics), []);
});

test('names: a capitalised unknown word inside a sentence is info, in French and in English', async () => {
  const fr = await lintBody('# Le fait du jour\n\nLa ministre Clara Chappaz reçoit Anne Bouverot et le patron de TikTok.\n');
  assert.deepEqual(found(fr.diagnostics), [
    `${at(fr.source, 'Chappaz')} info Chappaz`,
    `${at(fr.source, 'Bouverot')} info Bouverot`,
    `${at(fr.source, 'TikTok')} info TikTok`,
  ]);
  const en = await lintBody('# Top story\n\nThe regulator met Melanie Dawes of Ofcom and Sundar Pichai.\n', 'en');
  assert.deepEqual(found(en.diagnostics), [
    `${at(en.source, 'Ofcom')} info Ofcom`,
    `${at(en.source, 'Sundar')} info Sundar`,
    `${at(en.source, 'Pichai')} info Pichai`,
  ]);
});

test('names: a capitalised word that a usual slip of a common word explains stays a warning, with that word', async () => {
  const fr = await lintBody('# Le fait du jour\n\nLe Parlemnt européen et la Comission votent, le Sénta attend.\n');
  assert.deepEqual(found(fr.diagnostics), [
    `${at(fr.source, 'Parlemnt')} warning Parlemnt`,
    `${at(fr.source, 'Comission')} warning Comission`,
    `${at(fr.source, 'Sénta')} warning Sénta`,
  ]);
  const messages = fr.diagnostics.map((d) => d.message).join('\n');
  assert.match(messages, /« Parlemnt » \(did you mean « Parlement »\?\)/);
  assert.match(messages, /« Comission » \(did you mean « Commission »\?\)/);
  assert.match(messages, /« Sénta » \(did you mean « Sénat »\?\)/);
  const en = await lintBody('# Top story\n\nThe Goverment and the Parliment’s committee disagree.\n', 'en');
  assert.deepEqual(found(en.diagnostics), [`${at(en.source, 'Goverment')} warning Goverment`, `${at(en.source, 'Parliment')} warning Parliment`]);
});

test('names: at the start of a sentence, a capitalised unknown word is a warning as before', async () => {
  const body =
    '# Le fait du jour\n\n## Chappaz à Bercy.\n> menu: Bouverot pilote.\n\nZorbalux arrive. Kyutai suit ; Mistrol aussi : Scaleway enfin.\n' +
    '« Ajdari parle », dit-on. **Ce qu’on sait.** Heydemann signe.\n\n- Klaba en tête de liste.\n';
  const { source, diagnostics } = await lintBody(body);
  assert.deepEqual(found(diagnostics), [
    `${at(source, 'Chappaz')} warning Chappaz`,
    `${at(source, 'Bouverot')} warning Bouverot`,
    `${at(source, 'Zorbalux')} warning Zorbalux`,
    `${at(source, 'Kyutai')} warning Kyutai`,
    `${at(source, 'Mistrol')} info Mistrol`,
    `${at(source, 'Scaleway')} warning Scaleway`,
    `${at(source, 'Ajdari')} warning Ajdari`,
    `${at(source, 'Heydemann')} warning Heydemann`,
    `${at(source, 'Klaba')} warning Klaba`,
  ]);
});

test('names: a word in lower case keeps its suggestions and its warning', async () => {
  const { source, diagnostics } = await lintBody('# Le fait du jour\n\nLa ministre Chappaz présente la réglemntation.\n');
  assert.deepEqual(found(diagnostics), [`${at(source, 'Chappaz')} info Chappaz`, `${at(source, 'réglemntation')} warning réglemntation`]);
  assert.match(diagnostics.find((d) => d.word === 'réglemntation')!.message, /réglementation/);
});

test('opensSentence: what may come before a sentence’s first word', () => {
  const open = (before: string, value: string, word: string): boolean => opensSentence({ before, value }, value.indexOf(word));
  assert.equal(open('', 'Chappaz dit', 'Chappaz'), true);
  assert.equal(open('', 'Il dit. Chappaz', 'Chappaz'), true);
  assert.equal(open('Ce qu’on sait.', ' Chappaz', 'Chappaz'), true);
  assert.equal(open('', 'Il dit : « Chappaz', 'Chappaz'), true);
  assert.equal(open('', '« Fini. » Chappaz', 'Chappaz'), true);
  assert.equal(open('', 'Il cite « Fini » Chappaz', 'Chappaz'), false);
  assert.equal(open('La ministre ', 'Chappaz', 'Chappaz'), false);
  assert.equal(open('', 'selon (Chappaz', 'Chappaz'), false);
  assert.equal(open('', 'il dit ; Chappaz', 'Chappaz'), false);
});

test('names: a word at a sentence start that the edition writes inside a sentence as a name is info there too', async () => {
  const body = '# Le fait du jour\n\n## Zorbalux devant le juge.\n> menu: Justice : le cas Zorbalux.\n\nLe patron de Zorbalux parle. Kyutaix aussi.\n';
  const { source, diagnostics } = await lintBody(body);
  assert.deepEqual(found(diagnostics), [
    `${at(source, 'Zorbalux')} info Zorbalux`,
    `${at(source, 'Zorbalux', 1)} info Zorbalux`,
    `${at(source, 'Zorbalux', 2)} info Zorbalux`,
    `${at(source, 'Kyutaix')} warning Kyutaix`,
  ]);
  assert.match(diagnostics[0]!.message, /the edition writes it so inside a sentence/);
});
