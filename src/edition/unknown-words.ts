// The unknown words of an edition, as the spelling check would report them:
// what an approved edition teaches the publication's learned word list
// (learned-words.ts). Its own module because it loads the parser and the
// dictionaries, which the store loads only on an approval.
import { parseEdition } from './parse.ts';
import type { Publication } from './publication.ts';
import { createSpellChecker, isUncheckable, knownWordsOf, splitElision, tokenize } from './spelling.ts';
import { textsOf } from './lint/texts.ts';
import { learnedWordKey } from './learned-words.ts';

/**
 * The words of an edition's source that neither the dictionary nor the
 * publication's known words hold, once each (first spelling met), as the
 * spelling check would report them (elisions split off). Empty when the source
 * is not an edition.
 */
export async function unknownWordsOf(source: string, publication: Publication, alsoKnown: readonly string[] = []): Promise<string[]> {
  const { edition } = parseEdition(source, { file: 'edition.md', publication });
  if (!edition) return [];
  const spelling = await createSpellChecker(publication.language, knownWordsOf(publication, [...alsoKnown, ...edition.by, ...edition.with]));
  const found = new Map<string, string>();
  for (const piece of textsOf(edition, source)) {
    for (const token of tokenize(piece.value)) {
      const word = publication.language === 'fr' ? splitElision(token.word).word : token.word.replace(/(?<=\p{L})['’]s$/u, '');
      if (isUncheckable(word) || spelling.isKnown(word)) continue;
      const key = learnedWordKey(word);
      if (!found.has(key)) found.set(key, word);
    }
  }
  return [...found.values()];
}
