// Grammar in lint: what a reference checker (Grammalecte for French, Harper
// for English) says about the edition's prose, mapped back to the source. The
// checker itself runs elsewhere (src/grammar/: a child process, WebAssembly on
// a thread): this layer spawns nothing, it is handed a GrammarChecker, as the
// spell checker is handed its dictionaries. It gives the checker whole
// paragraphs (the text pieces of one block joined: a link or bold words inside
// a sentence stay in it), never a URL, the front matter or markup, and reports
// each grammar finding at the source place of its first character.
import type { Language } from './publication.ts';
import type { LintRuleId } from './lint/lint-rules.ts';
import type { TextPiece } from './lint/texts.ts';

/** The lint rules of grammar, one per family of findings. */
export const GRAMMAR_RULES = [
  'grammar-agreement',
  'grammar-verb-form',
  'grammar-confusion',
  'grammar-inversion',
  'grammar-compound',
  'grammar-punctuation',
  'grammar-style',
] as const satisfies readonly LintRuleId[];

/** A family of grammar findings: its lint rule id. */
export type GrammarRuleId = (typeof GRAMMAR_RULES)[number];

/** One finding of a checker in one paragraph, already sorted into its family. */
export interface GrammarFinding {
  /** Index of the paragraph in the request. */
  paragraph: number;
  /** UTF-16 offsets in the paragraph, end exclusive. */
  start: number;
  end: number;
  rule: GrammarRuleId;
  /** The checker's own explanation, in the edition's language for Grammalecte, in English for Harper. */
  message: string;
  /** Replacements the checker proposes, best first (may be empty). */
  suggestions: string[];
}

/** What a checker answers: its findings, or why it could not check (said once in the report's notes). */
export type GrammarResult = { findings: GrammarFinding[] } | { unavailable: string };

/** A grammar checker of one or more languages (src/grammar/ implements it). */
export interface GrammarChecker {
  /**
   * Checks paragraphs of prose in a language. Findings about spelling and
   * about typography the renderings set are left out by the checker already.
   */
  check(language: Language, paragraphs: readonly string[]): Promise<GrammarResult>;
}

/** One paragraph of prose as the checker sees it, with the source offset of each character. */
export interface Paragraph {
  text: string;
  offsets: number[];
}

/**
 * The paragraphs of an edition: the pieces of one block (a paragraph, a list
 * item, a kicker, a teaser, a label) joined in order. Line breaks become
 * spaces, so that the checker sees one run of prose.
 */
export function paragraphsOf(texts: readonly TextPiece[], source: string): Paragraph[] {
  const out: Paragraph[] = [];
  let block: number | undefined;
  for (const piece of texts) {
    const text = piece.value.replace(/[\r\n]/g, ' ');
    const last = out[out.length - 1];
    if (last && piece.block !== undefined && piece.block === block) {
      // Pieces parted by a hard line break or an image: a space keeps their words apart.
      const from = last.offsets[last.offsets.length - 1];
      const to = piece.offsets[0];
      if (from !== undefined && to !== undefined && /\S$/.test(last.text) && /^\S/.test(text) && /\s/.test(source.slice(from + 1, to))) {
        last.text += ' ';
        last.offsets.push(to);
      }
      last.text += text;
      last.offsets.push(...piece.offsets);
    } else {
      out.push({ text, offsets: [...piece.offsets] });
      block = piece.block;
    }
  }
  return out.filter((p) => p.text.trim() !== '');
}

/**
 * True when the words of a finding are doubled (« que la la ville »): the
 * checker stumbles on the repeat and says something else of it (« là » for
 * « la »), while the doubled-word rule already says what is wrong.
 */
export function isDoubledWords(finding: GrammarFinding, paragraph: string): boolean {
  const words = paragraph.slice(finding.start, finding.end).trim();
  if (!words || /\s/.test(words)) return false;
  const key = words.toLocaleLowerCase();
  const after = /^\s+([\p{L}\p{M}'’-]+)/u.exec(paragraph.slice(finding.end))?.[1];
  const before = /([\p{L}\p{M}'’-]+)\s+$/u.exec(paragraph.slice(0, finding.start))?.[1];
  return after?.toLocaleLowerCase() === key || before?.toLocaleLowerCase() === key;
}

/** The text of a finding's message: what is wrong, the words concerned, what to write instead. */
export function grammarMessage(finding: GrammarFinding, paragraph: string): string {
  const words = paragraph.slice(finding.start, finding.end).trim();
  const message = finding.message.trim().replace(/\s+/g, ' ');
  const suggestions = [...new Set(finding.suggestions.map((s) => s.trim()).filter((s) => s !== '' && s !== words))].slice(0, 4);
  const hint = suggestions.length ? ` (suggestion: ${suggestions.map((s) => `« ${s} »`).join(', ')})` : '';
  return `« ${words} »: ${message}${hint}`;
}
