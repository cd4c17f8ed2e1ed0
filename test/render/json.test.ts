import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderJson } from '../../src/render/json.ts';
import { fixtureEdition, PUBLIC_URL } from './fixture-edition.ts';

test('the JSON is the model itself with the publication and the derived subject and preheader', async () => {
  const { edition, publication } = await fixtureEdition('tech-matin');
  const json = JSON.parse(renderJson(edition, publication, { publicUrl: PUBLIC_URL }));
  assert.equal(json.version, 1);
  assert.deepEqual(json.publication, { slug: 'tech-matin', name: 'Tech Matin', language: 'fr' });
  assert.equal(json.url, `${PUBLIC_URL}/tech-matin/2026-03-02`);
  assert.equal(json.subject, 'Réseaux\u00a0: le plan fibre entre dans sa dernière ligne droite.');
  assert.ok(json.preheader.length > 0);
  assert.deepEqual(json.edition, JSON.parse(JSON.stringify(edition)));
});
