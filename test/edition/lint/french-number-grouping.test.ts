import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lintBody, p, placeOf, placesOf } from './lint-helper.ts';
import { countsSomething } from '../../../src/edition/lint/french-number-grouping.ts';

test('fr-number-grouping: a four-digit count is reported at its first digit, with « 4 000 » suggested', async () => {
  const body =
    "# Le fait du jour\n\nL'État engage 4000 millions d'euros, soit 1500 postes\net 2500 € par foyer ; 3200 foyers attendent, 7000 personnes aussi.\n";
  const { source, diagnostics } = await lintBody(body);
  assert.deepEqual(placesOf(diagnostics, 'fr-number-grouping'), [
    p(placeOf(source, '4000')),
    p(placeOf(source, '1500')),
    p(placeOf(source, '2500')),
    p(placeOf(source, '3200')),
    p(placeOf(source, '7000')),
  ]);
  const first = diagnostics.find((d) => d.rule === 'fr-number-grouping')!;
  assert.equal(first.severity, 'warning');
  assert.match(first.message, /« 4000 ».*« 4 000 »/);
});

test('fr-number-grouping: years, grouped numbers, codes and decimals stay as typed', async () => {
  const body =
    '# Le fait du jour\n\n' +
    'Les foyers seront raccordés en 2027 et, depuis 2019 contre 2023, rien.\n\n' +
    'En 2027 les foyers paieront moins, le 2 mars 2026 déjà, de 2019 à 2023.\n\n' +
    'Il reste 4 000 millions, 300 000 foyers, 12,5 %, la norme ISO 9001 certifiée, le code 75002 Paris et 1234,5 tonnes.\n';
  const { diagnostics } = await lintBody(body);
  assert.deepEqual(placesOf(diagnostics, 'fr-number-grouping'), []);
});

test('fr-number-grouping: what counts, decided by what follows the number', () => {
  // A unit or a counting word counts, whatever the value: « 2027 millions » is no year.
  assert.equal(countsSomething('2027', ' millions'), true);
  assert.equal(countsSomething('2027', '€'), true);
  // A year-like number before an ordinary word is left alone; past 2099, any lower-case word counts.
  assert.equal(countsSomething('2027', ' les foyers'), false);
  assert.equal(countsSomething('4000', ' agriculteurs'), true);
  assert.equal(countsSomething('4000', ', dit-il'), false);
  assert.equal(countsSomething('4000', ' Paris'), false);
});

test('fr-number-grouping: English copy is not checked', async () => {
  const { diagnostics } = await lintBody('# Top story\n\nThe state commits 4000 million pounds.\n', 'en');
  assert.deepEqual(placesOf(diagnostics, 'fr-number-grouping'), []);
});
