import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadEdition } from '../../src/edition/load.ts';

describe('loadEdition', () => {
  let root: string;
  before(() => {
    root = mkdtempSync(join(tmpdir(), 'matinale-load-'));
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  it('loads a sample edition with the publication found beside it', async () => {
    const r = await loadEdition('examples/2026-03-02-tech-matin.md');
    assert.deepEqual(r.diagnostics, []);
    assert.equal(r.publication?.name, 'Tech Matin');
    assert.equal(r.edition?.publication, 'tech-matin');
    assert.equal(r.source, readFileSync('examples/2026-03-02-tech-matin.md', 'utf8'));
  });

  it('finds the publication in the parent folder', async () => {
    const dir = join(root, 'parent');
    mkdirSync(join(dir, 'editions'), { recursive: true });
    mkdirSync(join(dir, 'publications'));
    copyFileSync('examples/publications/policy-morning.yaml', join(dir, 'publications', 'policy-morning.yaml'));
    copyFileSync('examples/2026-03-02-policy-morning.md', join(dir, 'editions', 'e.md'));
    const r = await loadEdition(join(dir, 'editions', 'e.md'));
    assert.deepEqual(r.diagnostics, []);
    assert.equal(r.publication?.slug, 'policy-morning');
  });

  it('uses the publication file given, and reports a mismatch with the front matter', async () => {
    const r = await loadEdition('examples/2026-03-02-tech-matin.md', { publicationFile: 'examples/publications/policy-morning.yaml' });
    assert.deepEqual(
      r.diagnostics.map((d) => `${d.file}:${d.line}:${d.column} ${d.rule}`),
      ['examples/2026-03-02-tech-matin.md:2:1 publication-mismatch'],
    );
    assert.equal(r.publication?.slug, 'policy-morning');
  });

  it('reports a missing publication at the slug of the front matter, naming where it looked', async () => {
    const dir = join(root, 'alone');
    mkdirSync(dir);
    writeFileSync(join(dir, 'e.md'), readFileSync('examples/2026-03-02-tech-matin.md', 'utf8'));
    const r = await loadEdition(join(dir, 'e.md'));
    assert.equal(r.diagnostics.length, 1);
    const [d] = r.diagnostics;
    assert.deepEqual([d!.file, d!.line, d!.column, d!.severity, d!.rule], [join(dir, 'e.md'), 2, 14, 'error', 'publication-not-found']);
    assert.ok(d!.message.includes(join(dir, 'publications', 'tech-matin.yaml')), d!.message);
    assert.ok(d!.message.includes(join(root, 'publications', 'tech-matin.yaml')), d!.message);
    // The edition itself is still parsed, so that a preview can show it.
    assert.ok(r.edition);
  });

  it('reports an unreadable edition or publication file as a diagnostic', async () => {
    const missing = await loadEdition(join(root, 'nope.md'));
    assert.deepEqual(missing.diagnostics.map((d) => [d.rule, d.line, d.column]), [['file-unreadable', 1, 1]]);
    assert.equal(missing.source, '');
    const folder = await loadEdition(root);
    assert.equal(folder.diagnostics[0]?.rule, 'file-unreadable');
    const noPub = await loadEdition('examples/2026-03-02-tech-matin.md', { publicationFile: join(root, 'nope.yaml') });
    assert.deepEqual(noPub.diagnostics.map((d) => [d.file, d.rule]), [[join(root, 'nope.yaml'), 'file-unreadable']]);
  });

  it('returns the diagnostics of an invalid publication file with that file’s name', async () => {
    const file = join(root, 'bad.yaml');
    writeFileSync(file, readFileSync('examples/publications/tech-matin.yaml', 'utf8').replace('language: fr', 'language: de'));
    const r = await loadEdition('examples/2026-03-02-tech-matin.md', { publicationFile: file });
    assert.deepEqual(r.diagnostics.map((d) => `${d.file}:${d.line}:${d.column} ${d.rule}`), [`${file}:3:11 publication-invalid`]);
    assert.equal(r.publication, undefined);
    assert.ok(r.edition);
  });
});
