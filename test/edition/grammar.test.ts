// Grammar in the pure layer: what lint hands the checker (whole paragraphs of
// prose, no addresses, no front matter, no markup) and how its findings come
// back to the source. The checker here is a recording one that finds given
// words, so that the mapping is proved apart from Grammalecte and Harper
// (test/grammar/ runs those); the publication's `lint.off` is validated.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { GrammarChecker, GrammarFinding, GrammarResult, GrammarRuleId } from '../../src/edition/grammar.ts';
import { lintReport } from '../../src/edition/lint.ts';
import { parseEdition } from '../../src/edition/parse.ts';
import { parsePublicationYaml } from '../../src/edition/publication-file.ts';
import type { Language, Publication } from '../../src/edition/publication.ts';
import { editionSource, publication } from './lint/lint-helper.ts';

/** Finds each of `words` (first occurrence per paragraph) as a finding of `rule`, and keeps what it was asked. */
function findingChecker(words: Record<string, GrammarRuleId>): GrammarChecker & { asked: string[][]; calls: number } {
  const checker = {
    asked: [] as string[][],
    calls: 0,
    async check(_language: Language, paragraphs: readonly string[]): Promise<GrammarResult> {
      checker.calls++;
      checker.asked.push([...paragraphs]);
      const findings: GrammarFinding[] = [];
      paragraphs.forEach((text, paragraph) => {
        for (const [word, rule] of Object.entries(words)) {
          const start = text.indexOf(word);
          if (start >= 0) findings.push({ paragraph, start, end: start + word.length, rule, message: 'a message', suggestions: ['fixed'] });
        }
      });
      return { findings };
    },
  };
  return checker;
}

async function lint(body: string, grammar: GrammarChecker, pub: Publication = publication('fr')) {
  const source = editionSource(body, pub.language);
  const parsed = parseEdition(source, { file: 'e.md', publication: pub });
  assert.ok(parsed.edition, 'the test edition should parse');
  return { source, ...(await lintReport({ source, edition: parsed.edition, publication: pub, file: 'e.md', grammar })) };
}

test('the checker sees each paragraph whole (bold, links and line breaks joined), never the addresses or the front matter', async () => {
  const checker = findingChecker({});
  await lint(
    '# Le fait du jour\n\n## Un titre.\n> menu: Un teaser.\n\n**Ce qu’on sait.** Le texte cite [le rapport](https://example.org/les-mesure)\net *continue* ici.\n\n- **9 h** Une audition.\n',
    checker,
  );
  assert.equal(checker.calls, 1);
  assert.deepEqual(checker.asked[0], ['Le fait du jour', 'Un titre.', 'Un teaser.', 'Ce qu’on sait. Le texte cite le rapport et continue ici.', '9 h Une audition.']);
});

test('a finding is reported at the source place of its first character, with the words and the suggestion', async () => {
  const checker = findingChecker({ 'rapport et continue': 'grammar-agreement', 'Une audition': 'grammar-style' });
  const { diagnostics, source } = await lint(
    '# Le fait du jour\n\nLe texte cite 🎉 [le rapport](https://example.org/x)\n  et *continue* ici.\n\n- **9 h** Une audition.\n',
    checker,
  );
  const lines = source.split('\n');
  const grammar = diagnostics.filter((d) => d.rule.startsWith('grammar-'));
  const line = lines.findIndex((l) => l.includes('rapport')) + 1;
  // Columns in characters: the emoji before counts one.
  const column = [...lines[line - 1]!.slice(0, lines[line - 1]!.indexOf('rapport'))].length + 1;
  assert.deepEqual(
    grammar.map((d) => [d.line, d.column, d.rule, d.message]),
    [
      [line, column, 'grammar-agreement', '« rapport et continue »: a message (suggestion: « fixed »)'],
      [line + 3, 11, 'grammar-style', '« Une audition »: a message (suggestion: « fixed »)'],
    ],
  );
});

test('rules the publication turns off are neither run nor reported; with every grammar family off the checker is not asked', async () => {
  const checker = findingChecker({ texte: 'grammar-agreement', cite: 'grammar-style' });
  const body = '# Le fait du jour\n\nLe texte cite le la la rapport.\n';
  const some = await lint(body, checker, publication('fr', { lint: { off: ['grammar-style', 'doubled-word'] } }));
  assert.deepEqual(some.diagnostics.map((d) => d.rule), ['grammar-agreement']);
  const callsBefore = checker.calls;
  const off = ['grammar-agreement', 'grammar-verb-form', 'grammar-confusion', 'grammar-inversion', 'grammar-compound', 'grammar-punctuation', 'grammar-style'] as const;
  const none = await lint(body, checker, publication('fr', { lint: { off: [...off] } }));
  assert.equal(checker.calls, callsBefore);
  assert.deepEqual(none.diagnostics.map((d) => d.rule), ['doubled-word']);
});

test('a checker that is not there: one note, whatever the number of paragraphs; the other rules still report', async () => {
  const missing: GrammarChecker = { check: async () => ({ unavailable: 'grammar was not checked: no checker here' }) };
  const { diagnostics, notes } = await lint('# Le fait du jour\n\nUn paragraphe avec le le mot.\n\nUn autre.\n\n- Un point.\n', missing);
  assert.deepEqual(notes, ['grammar was not checked: no checker here']);
  assert.deepEqual(diagnostics.map((d) => d.rule), ['doubled-word']);
});

test('a finding on a doubled word is left to the doubled-word rule', async () => {
  const checker = findingChecker({ la: 'grammar-confusion' });
  const { diagnostics } = await lint('# Le fait du jour\n\nAutant que la la ville.\n', checker);
  assert.deepEqual(diagnostics.map((d) => d.rule), ['doubled-word']);
});

test('publication settings: `lint.off` takes any lint rule id and names an unknown one, with the id it may have meant', () => {
  const base = 'slug: s\nname: S\nlanguage: fr\ntimezone: Europe/Paris\nschedule: "0 6 * * 1-5"\nfrom: a@example.org\naddress: x\nteam:\n  - { name: A, email: a@example.org, role: editor }\n';
  const good = parsePublicationYaml(`${base}lint:\n  off: [grammar-style, unknown-word]\n`, 'p.yaml');
  assert.deepEqual(good.diagnostics, []);
  assert.deepEqual(good.publication?.lint, { off: ['grammar-style', 'unknown-word'] });
  const bad = parsePublicationYaml(`${base}lint:\n  off: [grammar-style, grammar-stlye]\n`, 'p.yaml');
  assert.equal(bad.publication, undefined);
  assert.deepEqual(
    bad.diagnostics.map((d) => `${d.line}:${d.column} ${d.rule} ${d.message}`),
    ['11:24 publication-invalid `lint.off[1]` is not a lint rule: `grammar-stlye` (did you mean `grammar-style`?) (the rules are listed in src/edition/lint/lint-rules.ts)'],
  );
  const key = parsePublicationYaml(`${base}lint:\n  of: [grammar-style]\n`, 'p.yaml');
  assert.match(key.diagnostics[0]!.message, /unknown key `of` in `lint`/);
});
