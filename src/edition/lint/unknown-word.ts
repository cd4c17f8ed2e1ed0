// Words unknown to the spelling dictionary of the publication's language and
// to the words the newsroom knows (team names, publication name and words,
// word list). Every occurrence is reported, so that each can be fixed in place.
import type { LintRule } from './rule.ts';
import { isUncheckable, tokenize } from '../spelling.ts';

// Hunspell takes about a quarter of a second per French suggestion: only the
// first few distinct unknown words get them, and only words in lower case —
// an unknown capitalised word is nearly always a name, for which the
// dictionary has nothing useful to propose — so that a text full of names
// is still checked in well under a second. Every lookup counts, found or not:
// a text of made-up words would otherwise pay it once per distinct word
// (a few hundred of them held a preview for minutes).
const MAX_SUGGESTED_WORDS = 5;

function wantsSuggestions(word: string): boolean {
  const first = word.replace(/^[^'’]*['’]/, '')[0] ?? '';
  return first !== first.toLocaleUpperCase();
}

/** Reports each word no dictionary and no known word list holds. */
export const unknownWord: LintRule = {
  id: 'unknown-word',
  check(ctx) {
    const spelling = ctx.spelling;
    // No dictionary without a language: nothing to say rather than every word.
    if (!spelling) return;
    const suggestions = new Map<string, string[]>();
    let lookups = 0;
    for (const piece of ctx.texts) {
      for (const { word, offset } of tokenize(piece.value)) {
        if (isUncheckable(word) || spelling.isKnown(word)) continue;
        let suggested = suggestions.get(word);
        if (!suggested) {
          const lookUp = ctx.suggest && lookups < MAX_SUGGESTED_WORDS && wantsSuggestions(word);
          if (lookUp) lookups++;
          suggested = lookUp ? spelling.suggest(word) : [];
          suggestions.set(word, suggested);
        }
        const hint = suggested.length ? ` (did you mean ${suggested.map((s) => `« ${s} »`).join(', ')}?)` : '';
        ctx.report('unknown-word', piece.offsets[offset] ?? 0, `unknown word « ${word} »${hint}; add it to the newsroom word list if it is right`);
      }
    }
  },
};
