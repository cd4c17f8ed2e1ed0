import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lintBody, p, placeOf, placesOf } from './lint-helper.ts';
import { parseEdition } from '../../../src/edition/parse.ts';
import { lintEdition } from '../../../src/edition/lint.ts';
import { editionTemplate } from '../../../src/edition/template.ts';
import { publication } from './lint-helper.ts';

for (const language of ['fr', 'en'] as const) {
  test(`template-text-left (${language}): the new edition's template is refused as is, at each placeholder, as errors`, async () => {
    const pub = publication(language);
    const source = editionTemplate(pub, '2026-03-02', 'Margaux Quillévéré');
    const parsed = parseEdition(source, { file: 'e.md', publication: pub });
    assert.ok(parsed.edition, 'the template parses');
    const diagnostics = await lintEdition({ source, edition: parsed.edition, publication: pub, file: 'e.md' });
    const left = diagnostics.filter((d) => d.rule === 'template-text-left');
    const texts = language === 'fr' ? ['Le titre ici', 'Le teaser du menu', 'Le premier paragraphe'] : ['The kicker here', 'The teaser in the menu', 'The first paragraph'];
    assert.deepEqual(placesOf(left, 'template-text-left'), texts.map((t) => p(placeOf(source, t))));
    assert.ok(left.every((d) => d.severity === 'error'));
  });
}

test('template-text-left: written texts, and the section label the template suggests, are fine', async () => {
  const body = '# Le fait du jour\n\n## Les câbles d’abord.\n> menu: Le plan des câbles.\n\nLe premier paragraphe de l’enquête, écrit.\n';
  const { diagnostics } = await lintBody(body);
  assert.deepEqual(placesOf(diagnostics, 'template-text-left'), []);
});

test('template-text-left: one placeholder left among written ones is still found, with or without its full stop', async () => {
  const body = '# Le fait du jour\n\n## Les câbles d’abord.\n> menu: Le teaser du menu\n\nUn vrai texte.\n';
  const { source, diagnostics } = await lintBody(body);
  assert.deepEqual(placesOf(diagnostics, 'template-text-left'), [p(placeOf(source, 'Le teaser du menu'))]);
});
