import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { loadEdition } from '../../src/edition/load.ts';
import { lintEdition, lintReport, LINTERS } from '../../src/edition/lint.ts';
import type { Edition } from '../../src/edition/model.ts';
import { LINT_RULES } from '../../src/edition/lint/lint-rules.ts';
import { GRAMMAR_RULES } from '../../src/edition/grammar.ts';
import { readWordList } from '../../src/edition/spelling.ts';
import { p, placeOf, publication } from './lint/lint-helper.ts';
import { parseEdition } from '../../src/edition/parse.ts';
import { ALL_RULES, EDITION_RULES } from '../../src/edition/rules.ts';

const FIXTURE = 'test/fixtures/lint/defective.md';

test('the sample defective edition: every defect at its exact line and column', async () => {
  const loaded = await loadEdition(FIXTURE);
  assert.deepEqual(loaded.diagnostics, []);
  const words = await readWordList('test/fixtures/lint/publications/aube-numerique.words.txt');
  const diagnostics = await lintEdition({ source: loaded.source, edition: loaded.edition!, publication: loaded.publication!, file: FIXTURE, words });
  const src = readFileSync(FIXTURE, 'utf8');
  const got = diagnostics.map((d) => `${d.line}:${d.column} ${d.rule}`);
  assert.deepEqual(got, [
    `${p(placeOf(src, '"hors'))} fr-straight-quotes`,
    `${p(placeOf(src, 'sol"', 0, 3))} fr-straight-quotes`,
    `${p(placeOf(src, "l' avis"))} fr-apostrophe-space`,
    // The second « la », on the line of the lead-in.
    `${p(placeOf(src, 'la la', 0, 3))} doubled-word`,
    `${p(placeOf(src, "l'rédaction"))} fr-elision`,
    `${p(placeOf(src, 'Une start-up'))} kicker-too-long`,
    `${p(placeOf(src, 'Une start-up'))} teaser-missing`,
    `${p(placeOf(src, 'l ‘analyse'))} fr-quote-apostrophe`,
    `${p(placeOf(src, 'présidnet'))} unknown-word`,
    // In the indented continuation line of a list item.
    `${p(placeOf(src, 'du du', 0, 3))} doubled-word`,
  ]);
  assert.ok(diagnostics.every((d) => d.severity === 'warning' && d.file === FIXTURE));
});

test('a clean edition has no warning', async () => {
  const loaded = await loadEdition('test/fixtures/lint/clean.md');
  const words = await readWordList('test/fixtures/lint/publications/aube-numerique.words.txt');
  const diagnostics = await lintEdition({ source: loaded.source, edition: loaded.edition!, publication: loaded.publication!, file: 'clean.md', words });
  assert.deepEqual(diagnostics, []);
});

test('positions hold after a byte-order mark, escapes and character references', async () => {
  const body = '# Le fait du jour\n\nUn \\*vrai\\* test &amp; encore l\'source ici.\n';
  const source = `\uFEFF---\npublication: le-reveil\ndate: 2026-03-02\nby: Margaux Quillévéré\n---\n\n${body}`;
  const pub = publication('fr');
  const parsed = parseEdition(source, { file: 'e.md', publication: pub });
  const diagnostics = await lintEdition({ source, edition: parsed.edition!, publication: pub, file: 'e.md' });
  const elision = diagnostics.find((d) => d.rule === 'fr-elision');
  assert.deepEqual(elision && p(elision), p(placeOf(source.slice(1), "l'source")));
});

test('every lint rule is declared once, as a warning but the template text left in, and runs', () => {
  // Grammar's rules are the families of the grammar checker's findings (edition/grammar.ts), not linters of their own.
  const ids = [...LINTERS.map((r) => r.id), ...GRAMMAR_RULES];
  assert.deepEqual([...ids].sort(), Object.keys(LINT_RULES).sort());
  for (const [id, info] of Object.entries(LINT_RULES)) assert.equal(info.severity, id === 'template-text-left' ? 'error' : 'warning', id);
  // Registered beside the parser's rules, without taking any of their ids.
  for (const id of ids) {
    assert.equal(ALL_RULES[id], LINT_RULES[id]);
    assert.equal(Object.hasOwn(EDITION_RULES, id), false, id);
  }
});

/** The column an editor shows for the first `needle` of `line`: characters (code points), not UTF-16 units. */
function characterColumnOf(line: string, needle: string): number {
  return [...line.slice(0, line.indexOf(needle))].length + 1;
}

test('columns count characters as editors show them: an emoji is one column, in lint and parse diagnostics alike', async () => {
  const line = "Deux 🎉🎉 puis l'source et <b>là</b> encore.";
  const source = `---\npublication: le-reveil\ndate: 2026-03-02\nby: Margaux Quillévéré\nwith: [🎉🎉, '']\n---\n\n# Le fait du jour\n\n${line}\n`;
  const pub = publication('fr');
  const parsed = parseEdition(source, { file: 'e.md', publication: pub });
  const diagnostics = [...parsed.diagnostics, ...(await lintEdition({ source, edition: parsed.edition!, publication: pub, file: 'e.md' }))];
  const at = (rule: string) => diagnostics.filter((d) => d.rule === rule).map((d) => `${d.line}:${d.column}`);
  assert.deepEqual(at('fr-elision'), [`10:${characterColumnOf(line, "l'source")}`]);
  assert.deepEqual(at('fr-elision'), ['10:14']); // 16 in UTF-16 code units
  assert.deepEqual(at('raw-html'), [`10:${characterColumnOf(line, '<b>')}`, `10:${characterColumnOf(line, '</b>')}`]);
  // The front matter too (yaml counts UTF-16 units as well).
  assert.deepEqual(at('front-matter-name'), [`5:${characterColumnOf("with: [🎉🎉, '']", "''")}`]);
});

test('a front matter that prevents an edition still gives the body to lint: the error and every warning at once', async () => {
  const source = "---\npublication: le-reveil\ndate: 2026-02-30\nby: Margaux Quillévéré\n---\n\n# Le fait du jour\n\nLe plan de l'source et le le reste.\n";
  const pub = publication('fr');
  const parsed = parseEdition(source, { file: 'e.md', publication: pub });
  assert.equal(parsed.edition, undefined);
  assert.ok(parsed.partial);
  assert.equal(parsed.partial.date, undefined);
  assert.ok(Object.isFrozen(parsed.partial));
  // A partial edition is no Edition: no renderer and no send can take it.
  // @ts-expect-error the date may be missing
  const notAnEdition: Edition = parsed.partial;
  assert.ok(notAnEdition);
  const warnings = await lintEdition({ source, edition: parsed.partial, publication: pub, file: 'e.md' });
  const all = [...parsed.diagnostics, ...warnings].map((d) => `${d.line}:${d.column} ${d.severity} ${d.rule}`);
  assert.deepEqual(all, ['3:7 error front-matter-date', `9:${placeOf(source, "l'source").column} warning fr-elision`, `9:${placeOf(source, 'le le', 0, 3).column} warning doubled-word`]);
});

test('without a language, lint leaves out spelling and the rules of a language, and says so', async () => {
  const source = "---\npublication: le-reveil\ndate: 2026-03-02\nby: Margaux Quillévéré\n---\n\n# Le fait du jour\n\nLe plan de l'source et le le reste xyzzyq.\n";
  const parsed = parseEdition(source, { file: 'e.md' });
  const report = await lintReport({ source, edition: parsed.partial!, file: 'e.md' });
  assert.deepEqual(report.diagnostics.map((d) => d.rule), ['doubled-word']);
  assert.equal(report.notes.length, 1);
  // With the language of invalid settings, the French rules and spelling run.
  const fr = await lintReport({ source, edition: parsed.partial!, language: 'fr', file: 'e.md' });
  assert.deepEqual(fr.diagnostics.map((d) => d.rule), ['fr-elision', 'doubled-word', 'unknown-word']);
});
