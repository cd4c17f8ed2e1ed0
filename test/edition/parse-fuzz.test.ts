// Malformed input of any kind never crashes the parser: more than 10,000
// random and mutated documents per run (mutations of the valid fixtures, random
// Markdown fragments, random YAML front matter, arbitrary Unicode with NUL and
// lone surrogates, huge lines), each of which must yield well-formed
// diagnostics only. fast-check prints the seed and the shrunk input on failure.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { parseEdition } from '../../src/edition/parse.ts';
import { hasErrors } from '../../src/edition/diagnostic.ts';
import { EDITION_RULES, isEditionRule } from '../../src/edition/rules.ts';

const SAMPLES = ['sample-fr', 'sample-en', 'intro-and-free-content', 'list-leads', 'invalid'].map((name) =>
  readFileSync(`test/fixtures/edition/${name}/input.md`, 'utf8'),
);

const FRONT_MATTER = '---\npublication: tech-matin\ndate: 2026-03-02\nby: Jeanne Moreau\n---\n';

/** Pieces of Markdown and YAML that open, close or break the format's constructs. */
const FRAGMENTS = [
  '# ', '## ', '### ', '###### ', '#', '> menu: ', '> MENU:', '> ', '>', 'menu:', '- ', '* ', '+ ', '1. ', '1) ', '  ', '    ', '\t',
  '**', '*', '__', '_', '`', '``', '```', '~~~', '<b>', '</b>', '<div>', '<!--', '-->', '<script>', '<https://example.org>',
  '[', ']', '(', ')', '![', '](', '[x](javascript:alert(1))', '[x](https://example.org)', '![a](https://example.org/a.png)',
  '![](x)', 'mailto:', '[^1]', '[^1]: note', '[x]: https://example.org', '[x][y]', '|', '| a | b |\n| - | - |\n', '---', '***',
  '===', '\n', '\n\n', '\r', '\r\n', '\u0000', '\uFEFF', '\u200B', '\u2028', '\uD800', '\uDFFF', '&amp;', '&#0;', '&#x110000;',
  '\\', 'é', 'Œ', '🦊', 'publication: ', 'date: 2026-02-30', 'by: ', 'with: [', '{', '}', ':', '"', "'", '&a', '*a', '!!binary',
  'Le texte.', 'Text.', '**Lead.** Text.', '- **9 h** Item.',
];

const fragment = fc.constantFrom(...FRAGMENTS);
const anyText = fc.string({ unit: 'binary', maxLength: 40 });
const piece = fc.oneof({ weight: 3, arbitrary: fragment }, { weight: 1, arbitrary: anyText });

type Mutation =
  | { kind: 'insert'; at: number; text: string }
  | { kind: 'delete'; at: number; length: number }
  | { kind: 'replace'; at: number; length: number; text: string }
  | { kind: 'duplicate-line'; at: number }
  | { kind: 'code-unit'; at: number; code: number };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), text: piece }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 80 }) }),
  fc.record({ kind: fc.constant('replace' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 20 }), text: piece }),
  fc.record({ kind: fc.constant('duplicate-line' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('code-unit' as const), at: fc.nat(), code: fc.integer({ min: 0, max: 0xffff }) }),
);

function mutate(source: string, mutations: readonly Mutation[]): string {
  let s = source;
  for (const m of mutations) {
    const at = s.length ? m.at % (s.length + 1) : 0;
    switch (m.kind) {
      case 'insert':
        s = s.slice(0, at) + m.text + s.slice(at);
        break;
      case 'delete':
        s = s.slice(0, at) + s.slice(at + m.length);
        break;
      case 'replace':
        s = s.slice(0, at) + m.text + s.slice(at + m.length);
        break;
      case 'duplicate-line': {
        const start = s.lastIndexOf('\n', at - 1) + 1;
        const end = s.indexOf('\n', at);
        const line = s.slice(start, end === -1 ? s.length : end);
        s = `${s.slice(0, start)}${line}\n${s.slice(start)}`;
        break;
      }
      case 'code-unit':
        s = s.slice(0, at) + String.fromCharCode(m.code) + s.slice(at);
        break;
    }
  }
  return s;
}

const yamlValue = fc.oneof(
  fc.constantFrom('2026-03-02', '2026-02-30', '[a, b]', '[a, [b]]', '{ a: 1 }', '""', '~', 'null', '|\n  text', '>\n  folded', '&x a', '*x', '!!binary AAAA', '!tag x', '[', '{', '"unclosed', "'x''y'", '- a\n- b', '12', '1e3', 'true', '.nan'),
  fc.string({ maxLength: 20 }),
  fc.jsonValue({ maxDepth: 2 }).map((v) => JSON.stringify(v)),
);
const yamlKey = fc.oneof(fc.constantFrom('publication', 'date', 'by', 'with', 'thanks', 'subject', 'preheader', 'thank', 'pub', '? a', '- x', '%YAML 1.1', '...', '---', '"q"'), fc.string({ maxLength: 12 }));
const yamlFrontMatter = fc
  .array(fc.tuple(yamlKey, fc.constantFrom(': ', ':', ' : ', '\n  ', ''), yamlValue), { maxLength: 8 })
  .map((lines) => `---\n${lines.map(([k, sep, v]) => `${k}${sep}${v}`).join('\n')}\n---\n`);

const markdownBody = fc.array(fc.oneof({ weight: 4, arbitrary: fragment }, { weight: 1, arbitrary: anyText }), { maxLength: 30 }).map((parts) => parts.join(''));

const hugeLine = fc
  .tuple(fc.constantFrom('a', 'word ', 'é', '🦊', '\u0000', '> ', '- ', '#', '|', '[a](https://x.org) ', '**a** ', '_', '\t'), fc.integer({ min: 1000, max: 20_000 }), fc.boolean())
  .map(([unit, n, withFrontMatter]) => `${withFrontMatter ? `${FRONT_MATTER}# S\n\n` : ''}${unit.repeat(Math.ceil(n / unit.length))}\n`);

/** The properties every parse must hold, whatever the input. */
function check(source: string): void {
  const file = 'fuzz.md';
  const { edition, diagnostics } = parseEdition(source, { file });
  const lines = source.split(/\r\n|\r|\n/).length;
  for (const d of diagnostics) {
    assert.equal(d.file, file);
    assert.ok(Number.isInteger(d.line) && d.line >= 1 && d.line <= lines + 1, `line ${d.line} of ${lines}: ${d.rule}`);
    assert.ok(Number.isInteger(d.column) && d.column >= 1, `column ${d.column}: ${d.rule}`);
    assert.ok(isEditionRule(d.rule), `unknown rule ${d.rule}`);
    assert.equal(d.severity, EDITION_RULES[d.rule as keyof typeof EDITION_RULES].severity);
    assert.ok(typeof d.message === 'string' && d.message.length > 0);
  }
  if (edition && !hasErrors(diagnostics)) assertDeepFrozen(edition);
  if (edition) {
    assert.equal(typeof edition.publication, 'string');
    assert.match(edition.date, /^\d{4}-\d{2}-\d{2}$/);
  }
}

function assertDeepFrozen(value: unknown): void {
  const stack: unknown[] = [value];
  while (stack.length) {
    const v = stack.pop();
    if (v === null || typeof v !== 'object') continue;
    assert.ok(Object.isFrozen(v), 'edition not frozen all the way down');
    stack.push(...Object.values(v));
  }
}

describe('parseEdition fuzz', () => {
  const runs = { mutated: 1500, fragments: 4500, yaml: 2500, unicode: 1500, huge: 40 };

  it('survives mutations of the valid fixtures', () => {
    fc.assert(
      fc.property(fc.constantFrom(...SAMPLES), fc.array(mutation, { minLength: 1, maxLength: 8 }), (sample, mutations) => {
        check(mutate(sample, mutations));
      }),
      { numRuns: runs.mutated },
    );
  });

  it('survives random Markdown fragments, with and without a front matter', () => {
    fc.assert(
      fc.property(fc.boolean(), markdownBody, (withFrontMatter, body) => {
        check(withFrontMatter ? FRONT_MATTER + body : body);
      }),
      { numRuns: runs.fragments },
    );
  });

  it('survives random YAML front matter', () => {
    fc.assert(
      fc.property(yamlFrontMatter, markdownBody, (front, body) => {
        check(front + body);
      }),
      { numRuns: runs.yaml },
    );
  });

  it('survives arbitrary Unicode, NUL and lone surrogates', () => {
    fc.assert(
      fc.property(fc.boolean(), fc.string({ unit: 'binary', maxLength: 300 }), fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)), maxLength: 100 }), (withFrontMatter, a, b) => {
        check((withFrontMatter ? FRONT_MATTER : '') + a + b);
      }),
      { numRuns: runs.unicode },
    );
  });

  it('survives huge lines', () => {
    fc.assert(fc.property(hugeLine, check), { numRuns: runs.huge });
  });

  it('runs at least 10,000 documents', () => {
    assert.ok(Object.values(runs).reduce((a, b) => a + b, 0) >= 10_000);
  });
});
