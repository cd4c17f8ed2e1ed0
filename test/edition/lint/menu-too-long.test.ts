import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lintBody, p, placeOf, placesOf } from './lint-helper.ts';

const stories = (n: number): string =>
  Array.from({ length: n }, (_v, i) => `## Sujet ${i + 1}.\n> menu: Teaser numéro ${i + 1}.\n\nTexte.\n`).join('\n');

test('menu-too-long: six teasers are reported once, at the sixth', async () => {
  const { source, diagnostics } = await lintBody(`# Le fait du jour\n\n${stories(7)}`);
  assert.deepEqual(placesOf(diagnostics, 'menu-too-long'), [p(placeOf(source, 'Teaser numéro 6'))]);
  assert.match(diagnostics.find((d) => d.rule === 'menu-too-long')!.message, /7 teasers/);
});

test('menu-too-long: five teasers are fine', async () => {
  const { diagnostics } = await lintBody(`# Le fait du jour\n\n${stories(5)}`);
  assert.deepEqual(placesOf(diagnostics, 'menu-too-long'), []);
});
