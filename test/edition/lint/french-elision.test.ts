import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lintBody, p, placeOf, placesOf } from './lint-helper.ts';

test('fr-elision: an elision before a consonant is reported at the elided word', async () => {
  const { source, diagnostics } = await lintBody("# Le fait du jour\n\nUn institut de l'source ouverte et qu'Bercy refuse.\n");
  assert.deepEqual(placesOf(diagnostics, 'fr-elision'), [p(placeOf(source, "l'source")), p(placeOf(source, "qu'Bercy"))]);
  assert.match(diagnostics.find((d) => d.rule === 'fr-elision')!.message, /« l'source »/);
});

test('fr-elision: an h aspiré takes no elision; a mute h, a vowel or a spelt-out acronym do', async () => {
  const { source, diagnostics } = await lintBody(
    "# Le fait du jour\n\nL'hôpital, l'heure, d'abord, l'Arcep, jusqu'ici, l'SMS et aujourd'hui, mais l'hausse.\n",
  );
  assert.deepEqual(placesOf(diagnostics, 'fr-elision'), [p(placeOf(source, "l'hausse"))]);
});

test('fr-elision: not checked in English copy', async () => {
  const { diagnostics } = await lintBody("# Top story\n\nThe d'Souza family and l'Bistro.\n", 'en');
  assert.deepEqual(placesOf(diagnostics, 'fr-elision'), []);
});
