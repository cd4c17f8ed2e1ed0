// Lint: what the parser accepts but an editor would fix before the send —
// French elisions and quotes, doubled words, spelling, grammar (through an
// injected checker, grammar.ts), and the shape of the
// menu and kickers; and the new edition's placeholder text left in, the one
// error. Each at the exact line and column of the
// offending text (text nodes are mapped back to the source character by character).
import type { Diagnostic } from './diagnostic.ts';
import type { PartialEdition } from './model.ts';
import type { Language, Publication } from './publication.ts';
import { createSpellChecker, knownWordsOf } from './spelling.ts';
import type { SpellChecker } from './spelling.ts';
import type { LintContext, LintRule } from './lint/rule.ts';
import { LINT_RULES } from './lint/lint-rules.ts';
import { SourceLines } from './source-lines.ts';
import { textsOf } from './lint/texts.ts';
import { frenchElision } from './lint/french-elision.ts';
import { frenchApostropheSpace } from './lint/french-apostrophe-space.ts';
import { frenchQuoteApostrophe } from './lint/french-quote-apostrophe.ts';
import { frenchStraightQuotes } from './lint/french-straight-quotes.ts';
import { frenchNumberGrouping } from './lint/french-number-grouping.ts';
import { doubledWord } from './lint/doubled-word.ts';
import { unknownWord } from './lint/unknown-word.ts';
import { teaserMissing } from './lint/teaser-missing.ts';
import { menuTooLong } from './lint/menu-too-long.ts';
import { kickerTooLong } from './lint/kicker-too-long.ts';
import { templateTextLeft } from './lint/template-text-left.ts';
import { GRAMMAR_RULES, grammarMessage, isDoubledWords, paragraphsOf } from './grammar.ts';
import type { GrammarChecker } from './grammar.ts';
import type { LintRuleId } from './lint/lint-rules.ts';

/** Every lint rule, in the order they run. */
export const LINTERS: readonly LintRule[] = [
  frenchElision,
  frenchApostropheSpace,
  frenchQuoteApostrophe,
  frenchStraightQuotes,
  frenchNumberGrouping,
  doubledWord,
  unknownWord,
  teaserMissing,
  menuTooLong,
  kickerTooLong,
  templateTextLeft,
];

/** What lintEdition reads: the parsed edition, its source and its publication. */
export interface LintInput {
  /** The edition's source, exactly as parsed (positions point into it). */
  source: string;
  /** The edition, or only what parsed of it when its front matter has errors (`ParseResult.partial`). */
  edition: PartialEdition;
  /** The publication's settings; when they are missing or invalid, `language` stands in for them. */
  publication?: Publication;
  /** The language when there are no valid settings (read from the invalid ones); ignored beside `publication`. */
  language?: Language;
  /** The file name diagnostics carry. */
  file: string;
  /** The newsroom word list and any other words to accept (one word or name each). */
  words?: readonly string[];
  /** Propose replacements for unknown words (default true; a live preview may turn it off for speed). */
  suggest?: boolean;
  /** The grammar checker (src/grammar/); without one, grammar is not checked and nothing is said. */
  grammar?: GrammarChecker;
}

/** Diagnostics, and notes on what could not be checked (for the person, not the quickfix list). */
export interface LintReport {
  diagnostics: Diagnostic[];
  notes: string[];
}

/** Lints a parsed edition: warnings at the exact place of each problem, sorted by place. */
export async function lintEdition(input: LintInput): Promise<Diagnostic[]> {
  return (await lintReport(input)).diagnostics;
}

/**
 * Lints an edition, whole or partial, with its publication's settings when
 * there are some: without a known language, the rules of a language and the
 * spelling check are left out, and a note says so.
 */
export async function lintReport(input: LintInput): Promise<LintReport> {
  const { edition, publication, file } = input;
  // The parser counts positions without a byte-order mark.
  const source = input.source.charCodeAt(0) === 0xfeff ? input.source.slice(1) : input.source;
  const lines = new SourceLines(source);
  const language = publication?.language ?? input.language;
  const notes: string[] = [];
  // The names in the front matter are known words too: the byline is spelt as people spell their names.
  const known = [...(input.words ?? []), ...edition.by, ...edition.with];
  let spelling: SpellChecker | undefined;
  if (language) {
    spelling = await createSpellChecker(language, publication ? knownWordsOf(publication, known) : known);
    if (!publication) notes.push('the publication settings are invalid: spelling knows neither the team’s names nor the publication’s words');
  } else {
    notes.push('the publication’s language is unknown (no valid publication settings): spelling and the rules of a language were not checked');
  }
  const diagnostics: Diagnostic[] = [];
  const context: LintContext = {
    edition,
    ...(publication ? { publication } : {}),
    ...(language ? { language } : {}),
    texts: textsOf(edition, source),
    ...(spelling ? { spelling } : {}),
    suggest: input.suggest ?? true,
    report(rule, offset, message, extra = {}) {
      const { line, column } = lines.pointAt(offset);
      const severity = extra.severity ?? LINT_RULES[rule].severity;
      diagnostics.push({ file, line, column, severity, rule, message, ...(extra.word ? { word: extra.word } : {}) });
    },
  };
  // The rules the publication turned off are neither run nor reported.
  const off = new Set<LintRuleId>(publication?.lint?.off ?? []);
  for (const rule of LINTERS) {
    if (off.has(rule.id)) continue;
    if (rule.languages && !(language && rule.languages.includes(language))) continue;
    rule.check(context);
  }
  if (input.grammar && language && GRAMMAR_RULES.some((id) => !off.has(id))) {
    const paragraphs = paragraphsOf(context.texts, source);
    const result = paragraphs.length ? await input.grammar.check(language, paragraphs.map((p) => p.text)) : { findings: [] };
    if ('unavailable' in result) notes.push(result.unavailable);
    else {
      for (const finding of result.findings) {
        const paragraph = paragraphs[finding.paragraph];
        if (!paragraph || off.has(finding.rule) || isDoubledWords(finding, paragraph.text)) continue;
        context.report(finding.rule, paragraph.offsets[finding.start] ?? 0, grammarMessage(finding, paragraph.text));
      }
    }
  }
  diagnostics.sort((a, b) => a.line - b.line || a.column - b.column || a.rule.localeCompare(b.rule));
  return { diagnostics, notes };
}
