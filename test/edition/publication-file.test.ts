import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findPublicationFile, parsePublicationYaml, publicationCandidates } from '../../src/edition/publication-file.ts';

function places(text: string): string[] {
  return parsePublicationYaml(text, 'p.yaml').diagnostics.map((d) => `${d.rule}@${d.line}:${d.column}`);
}

const VALID = readFileSync('examples/publications/tech-matin.yaml', 'utf8');

describe('parsePublicationYaml', () => {
  it('accepts the sample publications', () => {
    for (const name of ['tech-matin', 'policy-morning']) {
      const r = parsePublicationYaml(readFileSync(`examples/publications/${name}.yaml`, 'utf8'), name);
      assert.deepEqual(r.diagnostics, []);
      assert.equal(r.publication?.slug, name);
    }
  });

  it('places each wrong value at its line and column', () => {
    assert.deepEqual(places(VALID.replace('language: fr', 'language: de')), ['publication-invalid@3:11']);
    assert.deepEqual(places(VALID.replace('timezone: Europe/Paris', 'timezone: Europe/Pariss')), ['publication-invalid@4:11']);
    assert.deepEqual(places(VALID.replace('replyTo: redaction@example.org', 'replyTo: redaction')), ['publication-invalid@7:10']);
    assert.deepEqual(places(VALID.replace('"0 6 * * 1-5"', '"0 6 * *"')), ['publication-invalid@5:11']);
  });

  it('places a wrong team member field inside the list', () => {
    const r = parsePublicationYaml(VALID.replace('email: paul.girard@example.org', 'email: paul'), 'p.yaml');
    assert.deepEqual(
      r.diagnostics.map((d) => `${d.line}:${d.column} ${d.message}`),
      ['11:33 `team[1].email` is not a valid email address'],
    );
  });

  it('suggests the closest key for unknown keys, at the top and in team members', () => {
    const r = parsePublicationYaml(VALID.replace('address:', 'adress:').replace('role: editor', 'role: editor, mail: x'), 'p.yaml');
    assert.deepEqual(
      r.diagnostics.map((d) => `${d.rule}@${d.line}:${d.column} ${d.message}`),
      [
        'publication-required@1:1 publication settings lack `address`',
        'publication-unknown-key@8:1 unknown key `adress` (did you mean `address`?)',
        'publication-unknown-key@13:72 unknown key `mail` in `team[3]` (did you mean `email`?)',
      ],
    );
    assert.equal(r.publication, undefined);
  });

  it('names each missing required setting', () => {
    const r = parsePublicationYaml('slug: x\n', 'p.yaml');
    assert.deepEqual(
      r.diagnostics.filter((d) => d.rule === 'publication-required').map((d) => d.message),
      ['name', 'language', 'timezone', 'schedule', 'from', 'address', 'team'].map((k) => `publication settings lack \`${k}\``),
    );
  });

  it('reports YAML syntax errors at their line and nothing else', () => {
    assert.deepEqual(places('slug: [a\nname: x\n'), ['publication-yaml@2:1']);
  });

  it('refuses settings that are not key: value lines', () => {
    assert.deepEqual(places('- a\n'), ['publication-invalid@1:1']);
    assert.deepEqual(places(''), ['publication-invalid@1:1']);
  });

  it('words empty values plainly', () => {
    const r = parsePublicationYaml(VALID.replace('name: Tech Matin', 'name: ""'), 'p.yaml');
    assert.deepEqual(r.diagnostics.map((d) => d.message), ['`name` must not be empty']);
  });
});

describe('findPublicationFile', () => {
  let root: string;
  before(() => {
    root = mkdtempSync(join(tmpdir(), 'matinale-pub-'));
    mkdirSync(join(root, 'editions', 'publications'), { recursive: true });
    mkdirSync(join(root, 'publications'));
    writeFileSync(join(root, 'publications', 'tech-matin.yaml'), VALID);
    writeFileSync(join(root, 'publications', 'policy-morning.yaml'), 'slug: policy-morning\n');
    writeFileSync(join(root, 'editions', 'publications', 'policy-morning.yaml'), 'slug: policy-morning\n');
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  it('looks beside the edition first', () => {
    assert.equal(findPublicationFile(join(root, 'editions', 'e.md'), 'policy-morning'), join(root, 'editions', 'publications', 'policy-morning.yaml'));
  });
  it('then in its parent folder', () => {
    assert.equal(findPublicationFile(join(root, 'editions', 'e.md'), 'tech-matin'), join(root, 'publications', 'tech-matin.yaml'));
  });
  it('gives nothing when neither exists, and never follows a slug out of the folders', () => {
    assert.equal(findPublicationFile(join(root, 'editions', 'e.md'), 'other'), undefined);
    assert.deepEqual(publicationCandidates(join(root, 'e.md'), '../x'), []);
  });
});
