import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lintBody, p, placeOf, placesOf } from './lint-helper.ts';
import { countWords } from '../../../src/edition/lint/kicker-too-long.ts';

test('kicker-too-long: a kicker of eleven words is reported at its text', async () => {
  const body = '# Le fait du jour\n\n## Un titre bien trop long qui raconte toute l’histoire au lecteur pressé.\n> menu: Un plan.\n\nTexte.\n';
  const { source, diagnostics } = await lintBody(body);
  assert.deepEqual(placesOf(diagnostics, 'kicker-too-long'), [p(placeOf(source, 'Un titre'))]);
});

test('kicker-too-long: ten words, counted as a reader does, are fine', async () => {
  assert.equal(countWords('Un — titre d’abord, et 2 mots.'), 6);
  const body = '# Le fait du jour\n\n## Un titre de dix mots qui tient — juste au bord.\n> menu: Un plan.\n\nTexte.\n';
  const { diagnostics } = await lintBody(body);
  assert.deepEqual(placesOf(diagnostics, 'kicker-too-long'), []);
});
