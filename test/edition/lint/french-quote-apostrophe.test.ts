import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lintBody, p, placeOf, placesOf } from './lint-helper.ts';

test('fr-quote-apostrophe: an opening quote or a backtick typed as an apostrophe is reported', async () => {
  const { source, diagnostics } = await lintBody('# Le fait du jour\n\nLe travail, l ‘innovation et d`abord la culture.\n');
  assert.deepEqual(placesOf(diagnostics, 'fr-quote-apostrophe'), [p(placeOf(source, 'l ‘innovation')), p(placeOf(source, 'd`abord'))]);
});

test('fr-quote-apostrophe: real apostrophes and quotes around a word are fine', async () => {
  const { diagnostics } = await lintBody('# Le fait du jour\n\nL’innovation, l\'abord et un ‘mot’ cité.\n');
  assert.deepEqual(placesOf(diagnostics, 'fr-quote-apostrophe'), []);
});
