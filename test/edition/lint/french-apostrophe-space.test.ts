import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lintBody, p, placeOf, placesOf } from './lint-helper.ts';

test('fr-apostrophe-space: a space after an elision apostrophe is reported', async () => {
  const { source, diagnostics } = await lintBody("# Le fait du jour\n\nL'envoyée spéciale de l' Sommet et d’ Europe.\n");
  assert.deepEqual(placesOf(diagnostics, 'fr-apostrophe-space'), [p(placeOf(source, "l' Sommet")), p(placeOf(source, 'd’ Europe'))]);
});

test('fr-apostrophe-space: joined elisions and closing quotes after a word are fine', async () => {
  const { diagnostics } = await lintBody("# Le fait du jour\n\nL'envoyée du sommet, l'Europe, et les 'vrais' chiffres.\n");
  assert.deepEqual(placesOf(diagnostics, 'fr-apostrophe-space'), []);
});
