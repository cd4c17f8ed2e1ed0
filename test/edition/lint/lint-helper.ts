// Builders for lint tests: a publication per language, an edition source from
// a body, and the expected place of a piece of text in that source.
import assert from 'node:assert/strict';
import type { Diagnostic } from '../../../src/edition/diagnostic.ts';
import type { Language, Publication } from '../../../src/edition/publication.ts';
import { parseEdition } from '../../../src/edition/parse.ts';
import { lintEdition } from '../../../src/edition/lint.ts';

/** A publication in `language`, with a team whose names are known words. */
export function publication(language: Language, extra: Partial<Publication> = {}): Publication {
  return {
    slug: language === 'fr' ? 'le-reveil' : 'early-brief',
    name: language === 'fr' ? 'Le Réveil' : 'Early Brief',
    language,
    timezone: 'Europe/Paris',
    schedule: '0 6 * * 1-5',
    from: 'Redaction <redaction@example.org>',
    address: '1 rue Exemple, 75001 Paris',
    team: [{ name: 'Margaux Quillévéré', email: 'margaux@example.org', role: 'author' }],
    ...extra,
  };
}

/** An edition source: front matter for `language`, then `body`. */
export function editionSource(body: string, language: Language = 'fr'): string {
  const slug = language === 'fr' ? 'le-reveil' : 'early-brief';
  return `---\npublication: ${slug}\ndate: 2026-03-02\nby: Margaux Quillévéré\n---\n\n${body}`;
}

/** Parses and lints `body` as an edition of a `language` publication; parse errors fail the test. */
export async function lintBody(
  body: string,
  language: Language = 'fr',
  words: string[] = [],
  suggest = true,
): Promise<{ source: string; diagnostics: Diagnostic[] }> {
  const source = editionSource(body, language);
  const pub = publication(language);
  const parsed = parseEdition(source, { file: 'e.md', publication: pub });
  assert.deepEqual(parsed.diagnostics.filter((d) => d.severity === 'error'), [], 'the test edition should parse');
  assert.ok(parsed.edition);
  const diagnostics = await lintEdition({ source, edition: parsed.edition, publication: pub, file: 'e.md', words, suggest });
  return { source, diagnostics };
}

/** The 1-based line and column of the `nth` occurrence (0-based) of `needle` in `source`, plus `shift` characters. */
export function placeOf(source: string, needle: string, nth = 0, shift = 0): { line: number; column: number } {
  let at = -1;
  for (let i = 0; i <= nth; i++) {
    at = source.indexOf(needle, at + 1);
    assert.notEqual(at, -1, `« ${needle} » not found in the source`);
  }
  at += shift;
  const before = source.slice(0, at);
  const line = before.split('\n').length;
  return { line, column: at - before.lastIndexOf('\n') };
}

/** The places (`line:column`) of the diagnostics of one rule. */
export function placesOf(diagnostics: readonly Diagnostic[], rule: string): string[] {
  return diagnostics.filter((d) => d.rule === rule).map((d) => `${d.line}:${d.column}`);
}

/** `line:column` of a place, to compare with `placesOf`. */
export function p(place: { line: number; column: number }): string {
  return `${place.line}:${place.column}`;
}
