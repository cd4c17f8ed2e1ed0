import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lintBody, p, placeOf, placesOf } from './lint-helper.ts';

test('teaser-missing: a story of the first section without a teaser is reported at its kicker', async () => {
  const { source, diagnostics } = await lintBody(
    '# Le fait du jour\n\n## Le plan.\n> menu: Réseaux : le plan.\n\nTexte.\n\n## Sans menu.\n\nTexte.\n',
  );
  assert.deepEqual(placesOf(diagnostics, 'teaser-missing'), [p(placeOf(source, 'Sans menu.'))]);
});

test('teaser-missing: stories of later sections may go without a teaser', async () => {
  const { diagnostics } = await lintBody(
    '# Le fait du jour\n\n## Le plan.\n> menu: Réseaux : le plan.\n\nTexte.\n\n# Médias\n\n## Sans menu.\n\nTexte.\n',
  );
  assert.deepEqual(placesOf(diagnostics, 'teaser-missing'), []);
});
