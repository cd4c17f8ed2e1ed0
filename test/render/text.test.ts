import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderText } from '../../src/render/text.ts';
import { displayLength } from '../../src/render/text-wrap.ts';
import { PLACEHOLDERS } from '../../src/render/placeholders.ts';
import { fixtureEdition, largeEdition, PUBLIC_URL } from './fixture-edition.ts';
import { edition, link, paragraph, publication, section, story, OPTIONS } from './edition-builder.ts';

const options = { publicUrl: PUBLIC_URL };

function assertWidth(text: string): void {
  for (const line of text.split('\n')) {
    // A line may only run long when it is one unbreakable word (a URL), after its reference number.
    if (displayLength(line) > 78) assert.match(line, /^(\[\d+\] )?[^ ]+$/, `line too long: ${line}`);
  }
}

test('no line of the plain text runs past 78 characters, except an unbreakable URL', async () => {
  for (const name of ['tech-matin', 'policy-morning']) {
    const { edition: e, publication: p } = await fixtureEdition(name);
    assertWidth(renderText(e, p, options));
  }
  const { edition: e, publication: p } = largeEdition();
  assertWidth(renderText(e, p, options));
});

test('a long URL is never cut', () => {
  const url = `https://example.org/${'tres-long-chemin/'.repeat(8)}fin`;
  const e = edition({
    sections: [section('a', 'A', [story('s1-x', 'Titre.', [paragraph(['Voir ', link(url, 'ce document'), ' pour tout savoir.'])])])],
  });
  const text = renderText(e, publication(), OPTIONS);
  const line = text.split('\n').find((l) => l.includes('https://example.org/tres'));
  assert.ok(line === url || /^\[\d+\] /.test(line ?? ''), `URL cut: ${line}`);
  assert.ok(line!.endsWith(url), 'URL kept whole on one line');
});

test('links become numbered references listed at the end of their section', async () => {
  const { edition: e, publication: p } = await fixtureEdition('tech-matin');
  const text = renderText(e, p, options);
  const fait = text.indexOf('LE FAIT DU JOUR');
  const cyber = text.indexOf('CYBERSÉCURITÉ');
  const inSection = text.slice(fait, cyber);
  const ref = /le ministère \[(\d+)\]/.exec(inSection);
  assert.ok(ref, 'reference number after the link text');
  assert.match(inSection, new RegExp(`\\n\\[${ref[1]}\\] https://example\\.org/plan-fibre\\n`));
  assert.ok(inSection.indexOf(`[${ref[1]}] https://`) > inSection.indexOf('DONNÉES DE SANTÉ'), 'listed after the last story');
  // Numbers run through the whole edition: each is listed exactly once.
  const listed = [...text.matchAll(/^\[(\d+)\] /gm)].map((m) => Number(m[1]));
  assert.deepEqual(
    listed,
    listed.map((_, i) => i + 1),
  );
  const cited = new Set([...text.matchAll(/ \[(\d+)\]/g)].map((m) => Number(m[1])));
  assert.deepEqual([...cited].sort((a, b) => a - b), listed);
});

test('the plain text holds every part in the email order', async () => {
  const { edition: e, publication: p } = await fixtureEdition('tech-matin');
  const text = renderText(e, p, options);
  const marks = [
    'TECH MATIN',
    'Par JEANNE MOREAU',
    'Avec PAUL GIRARD et INÈS HADDAD',
    'Écrivez à Jeanne Moreau [1]',
    'Lire dans le navigateur [',
    `${PUBLIC_URL}/tech-matin/2026-03-02`,
    'AU MENU',
    '— Réseaux\u00a0: le plan fibre',
    'nous sommes le lundi 2',
    'Une édition un peu plus courte',
    'LE FAIT DU JOUR',
    'LES CÂBLES D’ABORD. Le gouvernement',
    'Ce qu’on sait. Les 300',
    'ORDRE DU JOUR',
    '- 9\u00a0h\u00a030 Audition',
    'MARCHÉ',
    'RESTEZ BRANCHÉS',
    'Un grand merci à\u00a0: notre éditrice Lucie Fabre et Marc Olivier.',
    PLACEHOLDERS.unsubscribeUrl,
    PLACEHOLDERS.preferencesUrl,
    PLACEHOLDERS.recipient,
    '12 rue Exemple, 75002 Paris',
  ];
  let last = -1;
  for (const mark of marks) {
    const at = text.indexOf(mark, last + 1);
    assert.ok(at > last, `"${mark}" missing or out of order`);
    last = at;
  }
  assert.ok(text.endsWith('\n'));
  assert.doesNotMatch(text, /<[a-z]/i, 'no HTML in the plain text');
});
