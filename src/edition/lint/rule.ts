// What a lint rule is: a check over one edition that reports warnings at
// source places. Every rule lives in its own file in this folder and is
// listed once in ../lint.ts; its id is declared in lint-rules.ts.
import type { Severity } from '../diagnostic.ts';
import type { PartialEdition } from '../model.ts';
import type { Language, Publication } from '../publication.ts';
import type { SpellChecker } from '../spelling.ts';
import type { LintRuleId } from './lint-rules.ts';
import type { TextPiece } from './texts.ts';

/** What a rule may read, and how it reports. */
export interface LintContext {
  /** The edition, or what parsed of it when its front matter has errors. */
  edition: PartialEdition;
  /** The publication's settings, when they are valid. */
  publication?: Publication;
  /** The publication's language, when known: rules with `languages` run only then. */
  language?: Language;
  /** Every text of the edition, with the source offset of each character. */
  texts: readonly TextPiece[];
  /** The spell checker of the publication's language, with its known words; absent when the language is unknown. */
  spelling?: SpellChecker;
  /** Whether rules may spend time on suggestions (Hunspell's are slow). */
  suggest: boolean;
  /**
   * Reports a problem at a source offset (0-based, as in the model's points),
   * at the rule's severity unless `extra.severity` says otherwise; `extra.word`
   * is the word concerned, for the editor's « add to the word list ».
   */
  report(rule: LintRuleId, offset: number, message: string, extra?: { severity?: Severity; word?: string }): void;
}

/** One lint rule; `languages` limits it to some languages (all when absent, even an unknown one). */
export interface LintRule {
  id: LintRuleId;
  languages?: readonly Language[];
  check(context: LintContext): void;
}

/** Calls `found` for each match of `pattern` in each text piece, with a way to the source offset of any index in it. */
export function eachMatch(
  texts: readonly TextPiece[],
  pattern: RegExp,
  found: (match: RegExpExecArray, offsetOf: (indexInValue: number) => number, piece: TextPiece) => void,
): void {
  const re = new RegExp(pattern.source, pattern.flags.includes('g') ? pattern.flags : `${pattern.flags}g`);
  for (const piece of texts) {
    re.lastIndex = 0;
    for (let m = re.exec(piece.value); m; m = re.exec(piece.value)) {
      found(m, (i) => piece.offsets[Math.min(i, piece.offsets.length - 1)] ?? 0, piece);
      if (m[0] === '') re.lastIndex++;
    }
  }
}
