import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseEdition } from '../../src/edition/parse.ts';
import { plainText, preheaderOf, subjectOf } from '../../src/edition/inline-text.ts';
import type { Edition } from '../../src/edition/model.ts';

function edition(frontMatterExtra: string, body: string): Edition {
  const { edition, diagnostics } = parseEdition(`---\npublication: p\ndate: 2026-03-02\nby: J\n${frontMatterExtra}---\n${body}`, { file: 'e.md' });
  assert.deepEqual(diagnostics, []);
  return edition!;
}

const TWO_STORIES = '# S\n\n## A.\n> menu: *Réseaux* : la   fibre.\n\nTexte A.\n\n## B.\n> menu: Santé : [le dossier](https://example.org).\n\nTexte B.\n';

describe('plainText', () => {
  it('keeps the words of links and emphasis, images as alt text, white space as one space', () => {
    const e = edition('', '# S\n\n**Gras** et *lien* [ici](https://example.org)\nsuite  \n![une carte](https://example.org/c.png) fin.\n');
    const p = e.sections[0]!.blocks[0]!;
    assert.equal(p.type === 'paragraph' && `${plainText(p.leadIn!)}|${plainText(p.children)}`, 'Gras|et lien ici suite une carte fin.');
  });
});

describe('subjectOf', () => {
  it('is the front matter subject when set', () => {
    assert.equal(subjectOf(edition('subject: Le sujet\n', TWO_STORIES)), 'Le sujet');
  });
  it('else the first menu teaser as plain text', () => {
    assert.equal(subjectOf(edition('', TWO_STORIES)), 'Réseaux : la fibre.');
  });
  it('else the first section label', () => {
    assert.equal(subjectOf(edition('', '# Ordre du jour\n\n- Un point.\n')), 'Ordre du jour');
  });
});

describe('preheaderOf', () => {
  it('is the front matter preheader when set', () => {
    assert.equal(preheaderOf(edition('preheader: Aperçu\n', TWO_STORIES)), 'Aperçu');
  });
  it('else the teasers after the one the subject already shows, joined by a dash', () => {
    assert.equal(preheaderOf(edition('', TWO_STORIES)), 'Santé : le dossier.');
    assert.equal(preheaderOf(edition('subject: Autre chose\n', TWO_STORIES)), 'Réseaux : la fibre. — Santé : le dossier.');
  });
  it('else the first paragraph of the edition', () => {
    assert.equal(preheaderOf(edition('', '# S\n\n- Liste.\n\n**Lead.** Premier paragraphe.\n')), 'Lead. Premier paragraphe.');
    assert.equal(preheaderOf(edition('', '# S\n\n- Liste seule.\n')), '');
  });
});
