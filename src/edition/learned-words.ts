// The publication's learned word list: names and words it accepts besides the
// dictionary, learned from its own approved editions or accepted by a person in
// the editor. The rule is here (the store applies it where the approval is
// recorded, in the same transaction): an unknown word is learned once it has
// appeared in two different approved editions, so that a typo approved once is
// still flagged the next time; a person who accepts a word in the editor
// teaches it at once. Which words an approved edition holds that nobody knows:
// unknown-words.ts (it loads the parser and the dictionaries).

/** How many different approved editions must hold an unknown word before it is learned. */
export const LEARN_AFTER_EDITIONS = 2;

/** The longest word a person may add to the word list (a word, or a name of a few words). */
export const MAX_LEARNED_WORD_LENGTH = 80;

/** The key a word is learned under: one entry for « Apig » and « APIG », for ’ and '. */
export function learnedWordKey(word: string): string {
  return word.normalize('NFC').replace(/’/g, "'").toLocaleLowerCase();
}

/** Checks a word a person adds to the word list; returns it trimmed, or throws why it cannot be one. */
export function checkLearnedWord(input: unknown): string {
  const word = typeof input === 'string' ? input.normalize('NFC').trim() : '';
  if (word === '') throw new RangeError('the word is empty');
  if (word.length > MAX_LEARNED_WORD_LENGTH) throw new RangeError(`the word is ${word.length} characters long; at most ${MAX_LEARNED_WORD_LENGTH}`);
  // What tokenize would read as words, and nothing else: letters, digits, apostrophes, hyphens, spaces.
  if (!/^[\p{L}\p{M}\d]+(?:[ '’-][\p{L}\p{M}\d]+)*$/u.test(word)) throw new RangeError(`« ${word} » is not a word: letters, digits, apostrophes and hyphens only`);
  return word;
}
