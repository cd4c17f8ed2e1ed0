import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lintBody, p, placeOf, placesOf } from './lint-helper.ts';

test('fr-straight-quotes: each straight double quote in French copy is reported', async () => {
  const { source, diagnostics } = await lintBody('# Le fait du jour\n\nLe calendrier reste "serré",\nreconnaît un conseiller.\n');
  assert.deepEqual(placesOf(diagnostics, 'fr-straight-quotes'), [p(placeOf(source, '"serré')), p(placeOf(source, '",'))]);
});

test('fr-straight-quotes: guillemets are fine, and English copy may use straight quotes', async () => {
  assert.deepEqual(placesOf((await lintBody('# Le fait du jour\n\nLe calendrier reste « serré ».\n')).diagnostics, 'fr-straight-quotes'), []);
  assert.deepEqual(placesOf((await lintBody('# Top story\n\nThe timetable is "tight".\n', 'en')).diagnostics, 'fr-straight-quotes'), []);
});
