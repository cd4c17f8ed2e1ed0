// Words unknown to the spelling dictionary of the publication's language and
// to the words the newsroom knows (team names, publication name and words,
// word list, learned words). Every occurrence is reported, so that each can be
// fixed in place. A French elided word is checked without its elision, and
// reported where the rest starts: « l’Apig » is « Apig », one column on; an
// English possessive without its « ’s ».
//
// A real edition is full of names the dictionary cannot know (« Chappaz »,
// « TikTok »): a capitalised unknown word inside a sentence is most likely one,
// and is reported as `info` — shown, never counted as a problem — unless the
// dictionary has a common word one edit away (« Parlemnt » → « parlement »),
// which makes it a likely slip: then it stays a warning. At the start of a
// sentence a capital says nothing, and the word is a warning as before —
// unless the same edition writes it, letter for letter, inside a sentence
// where it reads as a name (« TikTok devant l’Arcom » as a kicker, « le patron
// de TikTok » in the text): the edition itself says what it is.
import type { LintRule } from './rule.ts';
import type { TextPiece } from './texts.ts';
import { isUncheckable, splitElision, tokenize } from '../spelling.ts';

// Hunspell takes about a quarter of a second per French suggestion: only the
// first few distinct unknown words get them, and only words in lower case —
// an unknown capitalised word is nearly always a name, for which the
// dictionary has nothing useful to propose — so that a text full of names
// is still checked in well under a second. Every lookup counts, found or not:
// a text of made-up words would otherwise pay it once per distinct word
// (a few hundred of them held a preview for minutes).
const MAX_SUGGESTED_WORDS = 5;

// An English possessive is checked and reported without its « ’s »: « Parliment’s » is « Parliment ».
const EN_POSSESSIVE = /(?<=\p{L})['’]s$/u;

function isCapitalised(word: string): boolean {
  const first = word[0] ?? '';
  return first !== first.toLocaleLowerCase();
}

// What may stand between a sentence's end and its first word: spaces, opening
// quotes and brackets, dashes, a list marker left in the text.
const OPENERS = /[\s\u00a0\u202f«“"‘'([—–\-*•¿¡]*$/u;

/**
 * True when the word at `offset` of a piece opens a sentence: nothing before it
 * in its block (a paragraph, a list item, a kicker, a teaser, a label), or a
 * full stop, a question or exclamation mark, an ellipsis or a colon, past
 * any opening quotes or dashes (a semicolon goes on with the sentence).
 */
export function opensSentence(piece: Pick<TextPiece, 'value' | 'before'>, offset: number): boolean {
  const before = (piece.before + piece.value.slice(0, offset)).replace(OPENERS, '');
  if (before === '' || /[.!?…:]$/u.test(before)) return true;
  // A closing quote ends a sentence only when a stop stands right inside it (« … fin. »).
  return /[.!?…][\s\u00a0\u202f]*[»”]$/u.test(before);
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
    // Two passes: first every unknown word with its place, and the words the
    // edition writes capitalised inside a sentence with no common word close
    // by — its names; then the reports, where a name at a sentence start is
    // known for one by the rest of the edition.
    const unknown: Array<{ word: string; where: number; opens: boolean }> = [];
    const names = new Set<string>();
    for (const piece of ctx.texts) {
      for (const token of tokenize(piece.value)) {
        const { word, at } = ctx.language === 'fr' ? splitElision(token.word) : { word: token.word.replace(EN_POSSESSIVE, ''), at: 0 };
        if (isUncheckable(word) || spelling.isKnown(word)) continue;
        const offset = token.offset + at;
        const opens = opensSentence(piece, offset);
        unknown.push({ word, where: piece.offsets[offset] ?? 0, opens });
        if (isCapitalised(word) && !opens && spelling.closeCommonWord(word) === undefined) names.add(word);
      }
    }
    for (const { word, where, opens } of unknown) {
      if (isCapitalised(word)) {
        if (!opens) {
          const common = spelling.closeCommonWord(word);
          if (common === undefined) {
            ctx.report('unknown-word', where, `unknown word « ${word} », probably a name; add it to the word list if it is right`, { severity: 'info', word });
          } else {
            const shown = common[0]!.toLocaleUpperCase() + common.slice(1);
            ctx.report('unknown-word', where, `unknown word « ${word} » (did you mean « ${shown} »?); add it to the word list if it is right`, { word });
          }
          continue;
        }
        if (names.has(word)) {
          ctx.report('unknown-word', where, `unknown word « ${word} », probably a name (the edition writes it so inside a sentence); add it to the word list if it is right`, { severity: 'info', word });
          continue;
        }
        ctx.report('unknown-word', where, `unknown word « ${word} »; add it to the word list if it is right`, { word });
        continue;
      }
      let suggested = suggestions.get(word);
      if (!suggested) {
        const lookUp = ctx.suggest && lookups < MAX_SUGGESTED_WORDS;
        if (lookUp) lookups++;
        suggested = lookUp ? spelling.suggest(word) : [];
        suggestions.set(word, suggested);
      }
      const hint = suggested.length ? ` (did you mean ${suggested.map((s) => `« ${s} »`).join(', ')}?)` : '';
      ctx.report('unknown-word', where, `unknown word « ${word} »${hint}; add it to the word list if it is right`, { word });
    }
  },
};
