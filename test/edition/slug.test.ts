import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { slugify, uniqueSlug } from '../../src/edition/slug.ts';

describe('slugify', () => {
  it('folds accents and ligatures, keeps ASCII words joined by dashes', () => {
    assert.equal(slugify("Les câbles d'abord."), 'les-cables-d-abord');
    assert.equal(slugify('Cœur de l’État — Œuvre'), 'coeur-de-l-etat-oeuvre');
    assert.equal(slugify('  ÉTÉ 2026 !! '), 'ete-2026');
    assert.equal(slugify('???'), '');
  });
  it('cuts long slugs at a word boundary', () => {
    const slug = slugify('mot '.repeat(40));
    assert.ok(slug.length <= 60 && !slug.endsWith('-') && slug.startsWith('mot-mot'));
  });
});

describe('uniqueSlug', () => {
  it('adds a number when the slug is taken', () => {
    const taken = new Set<string>();
    assert.deepEqual(['a', 'a', 'a', 'a-2'].map((s) => uniqueSlug(s, taken)), ['a', 'a-2', 'a-3', 'a-2-2']);
  });
});
