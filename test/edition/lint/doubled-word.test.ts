import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lintBody, p, placeOf, placesOf } from './lint-helper.ts';

test('doubled-word: a word twice in a row, even across a line break, is reported at the second one', async () => {
  const { source, diagnostics } = await lintBody('# Le fait du jour\n\nLe le ministre annonce le\nle plan.\n');
  assert.deepEqual(placesOf(diagnostics, 'doubled-word'), [p(placeOf(source, 'le ministre')), p(placeOf(source, 'le plan'))]);
});

test('doubled-word: in English too', async () => {
  const { source, diagnostics } = await lintBody('# Top story\n\nOfcom sets the the date.\n', 'en');
  assert.deepEqual(placesOf(diagnostics, 'doubled-word'), [p(placeOf(source, 'the date'))]);
});

test('doubled-word: rightly doubled words and near repeats are fine', async () => {
  assert.deepEqual(placesOf((await lintBody('# Le fait du jour\n\nNous nous sommes vus, vous vous taisez, les lesbiennes.\n')).diagnostics, 'doubled-word'), []);
  assert.deepEqual(placesOf((await lintBody('# Top story\n\nHe had had enough; that that is is fine.\n', 'en')).diagnostics, 'doubled-word').length, 1);
});
