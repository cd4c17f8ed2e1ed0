import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_YAML_PROBLEMS, isRealDate, parseFrontMatter, publicationSlugOf } from '../../src/edition/front-matter.ts';
import { closestKey, editDistance } from '../../src/edition/closest-key.ts';

const at = { line: 2, column: 1 };

describe('parseFrontMatter', () => {
  it('returns the values and where each key was written', () => {
    const { data, diagnostics } = parseFrontMatter('publication: tech-matin\ndate: 2026-03-02\nby: Jeanne\nwith: [A, B]\nthanks: Lucie', at, 'e.md');
    assert.deepEqual(diagnostics, []);
    assert.deepEqual(
      { ...data, places: undefined },
      { publication: 'tech-matin', date: '2026-03-02', by: ['Jeanne'], with: ['A', 'B'], thanks: 'Lucie', places: undefined },
    );
    assert.deepEqual(data.places.with, { line: 5, column: 1 });
  });

  it('places problems in the edition file, past the opening `---`', () => {
    const { diagnostics } = parseFrontMatter('publication: tech-matin\ndate: 2026-02-30\nby: J', at, 'e.md');
    assert.deepEqual(
      diagnostics.map((d) => [d.file, d.line, d.column, d.severity, d.rule]),
      [['e.md', 3, 7, 'error', 'front-matter-date']],
    );
  });

  it('keeps numbers and booleans as typed where text is expected', () => {
    const { data, diagnostics } = parseFrontMatter('publication: tech-matin\ndate: 2026-03-02\nby: J\nsubject: 1e3\nthanks: true', at, 'e.md');
    assert.deepEqual(diagnostics, []);
    assert.equal(data.subject, '1e3');
    assert.equal(data.thanks, 'true');
  });

  it('takes a blank optional key as absent, and a blank required key as an error', () => {
    const blank = parseFrontMatter('publication: tech-matin\ndate: 2026-03-02\nby: J\nwith:\nthanks: ~', at, 'e.md');
    assert.deepEqual(blank.diagnostics, []);
    assert.equal(blank.data.with, undefined);
    const required = parseFrontMatter('publication: tech-matin\ndate: 2026-03-02\nby:', at, 'e.md');
    assert.deepEqual(required.diagnostics.map((d) => `${d.rule}@${d.line}:${d.column}`), ['front-matter-name@4:4']);
  });

  it('suggests the key an author means by a synonym', () => {
    const { diagnostics } = parseFrontMatter('publication: tech-matin\ndate: 2026-03-02\nauthor: J\nTitre: x\nconstructor: y', at, 'e.md');
    assert.deepEqual(
      diagnostics.map((d) => d.message),
      [
        'unknown front-matter key `author` (did you mean `by`?)',
        'unknown front-matter key `Titre` (did you mean `subject`?)',
        'unknown front-matter key `constructor`',
        'front matter lacks `by`: add it above the closing `---`',
      ],
    );
  });

  it('reports the first few YAML errors of a cascade only', () => {
    const { diagnostics } = parseFrontMatter(`by: ${'['.repeat(200)}`, at, 'e.md');
    assert.equal(diagnostics.filter((d) => d.rule === 'front-matter-yaml').length, MAX_YAML_PROBLEMS);
  });

  it('reports a YAML error with yaml’s message, without its own positions', () => {
    const { diagnostics } = parseFrontMatter('publication: tech-matin\ndate: 2026-03-02\nby: J\nby: K', at, 'e.md');
    assert.equal(diagnostics.length, 1);
    assert.equal(diagnostics[0]!.rule, 'front-matter-yaml');
    assert.equal(diagnostics[0]!.line, 5);
    assert.doesNotMatch(diagnostics[0]!.message, /line \d/);
  });
});

describe('isRealDate', () => {
  it('accepts days of the calendar only', () => {
    assert.equal(isRealDate('2026-03-02'), true);
    assert.equal(isRealDate('2024-02-29'), true);
    assert.equal(isRealDate('2026-02-29'), false);
    assert.equal(isRealDate('2026-04-31'), false);
    assert.equal(isRealDate('2026-00-10'), false);
    assert.equal(isRealDate('2026-01-00'), false);
    assert.equal(isRealDate('2026-1-01'), false);
  });
});

describe('closestKey', () => {
  const keys = ['publication', 'date', 'by', 'with', 'thanks', 'subject', 'preheader'];
  it('suggests the key one typo away', () => {
    assert.equal(closestKey('thank', keys), 'thanks');
    assert.equal(closestKey('pubilcation', keys), 'publication');
    assert.equal(closestKey('Subject', keys), 'subject');
    assert.equal(closestKey('preheadr', keys), 'preheader');
  });
  it('suggests nothing for a word far from every key', () => {
    assert.equal(closestKey('author', keys), undefined);
    assert.equal(closestKey('x', keys), undefined);
    assert.equal(closestKey('z'.repeat(1000), keys), undefined);
  });
  it('counts a swap of two letters as one edit', () => {
    assert.equal(editDistance('tahnks', 'thanks'), 1);
    assert.equal(editDistance('', 'by'), 2);
  });
});

describe('publicationSlugOf', () => {
  it('reads the slug before any full parse', () => {
    assert.equal(publicationSlugOf('---\npublication: tech-matin\ndate: x\n---\n# S\n'), 'tech-matin');
    assert.equal(publicationSlugOf('\uFEFF---\r\npublication: tech-matin\r\n---\r\n'), 'tech-matin');
  });
  it('gives nothing for a missing front matter, a missing key or a path-like value', () => {
    assert.equal(publicationSlugOf('# S\n'), undefined);
    assert.equal(publicationSlugOf('---\ndate: x\n---\n'), undefined);
    assert.equal(publicationSlugOf('---\npublication: ../../etc\n---\n'), undefined);
  });
});
