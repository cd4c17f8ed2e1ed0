// Spelling: real Hunspell (WebAssembly, `hunspell-asm`) with the
// `dictionary-fr` / `dictionary-en` files. English copy is checked against
// both the American and the British dictionary (`dictionary-en-gb`): a
// publication's language is `en`, without a region, and a London newsroom
// writes « centre » and « organise ». A dictionary is loaded once per
// language and process (French takes about 100 ms) and shared; the words a
// newsroom adds (names, the publication's words, its word list) are kept
// beside it in a set per check, never added to the shared Hunspell instance,
// so that one publication's words never leak into another's check.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadModule } from 'hunspell-asm';
import type { Hunspell, HunspellFactory } from 'hunspell-asm';
import type { Language, Publication } from './publication.ts';
import { findPublicationFile } from './publication-file.ts';

/** A word found in a text, with its place (UTF-16 offset in that text). */
export interface WordToken {
  word: string;
  offset: number;
}

/** Tells whether a word is spelt right, and proposes replacements when not. */
export interface SpellChecker {
  isKnown(word: string): boolean;
  suggest(word: string): string[];
  /**
   * A common word of the dictionary one usual typing slip away (two letters
   * swapped, a letter left out or doubled, a wrong accent), matched in lower
   * case: « Parlemnt » → « parlement », « Sénta » → « sénat ».
   * Undefined when there is none, as for most names. Cheap enough to ask for
   * every capitalised unknown word, unlike `suggest`.
   */
  closeCommonWord(word: string): string | undefined;
}

/** The dictionaries of each language; a word is right when any of them knows it. */
const PACKAGES: Record<Language, readonly string[]> = { fr: ['dictionary-fr'], en: ['dictionary-en', 'dictionary-en-gb'] };

let factoryPromise: Promise<HunspellFactory> | undefined;
const dictionaries = new Map<Language, Promise<Hunspell[]>>();

// The Emscripten runtime inside hunspell-asm hooks `uncaughtException` to
// rethrow from its own minified line, which makes any later crash of the
// process print 750 KB of its source instead of the error: take the hook off.
async function loadFactory(): Promise<HunspellFactory> {
  const before = new Set(process.listeners('uncaughtException'));
  const factory = await loadModule();
  for (const listener of process.listeners('uncaughtException')) {
    if (!before.has(listener)) process.removeListener('uncaughtException', listener);
  }
  return factory;
}

async function loadDictionary(pkg: string): Promise<Hunspell> {
  factoryPromise ??= loadFactory();
  const factory = await factoryPromise;
  // The packages export only an ESM default that reads both files at import;
  // resolve their folder instead, to read the bytes for the WebAssembly file system.
  const folder = dirname(fileURLToPath(import.meta.resolve(pkg)));
  const [aff, dic] = await Promise.all([readFile(join(folder, 'index.aff')), readFile(join(folder, 'index.dic'))]);
  const affPath = factory.mountBuffer(aff, `${pkg}.aff`);
  const dicPath = factory.mountBuffer(dic, `${pkg}.dic`);
  return factory.create(affPath, dicPath);
}

/** The shared Hunspell dictionaries of a language, loaded on first use. */
export function dictionaryFor(language: Language): Promise<Hunspell[]> {
  let dictionary = dictionaries.get(language);
  if (!dictionary) {
    dictionary = Promise.all(PACKAGES[language].map(loadDictionary));
    dictionaries.set(language, dictionary);
  }
  return dictionary;
}

// French elided articles, pronouns and conjunctions: « l’Arcep » is checked as « Arcep ».
const FR_ELISION = /^(?:[cdjlmnst]|qu|jusqu|lorsqu|puisqu|quoiqu|presqu)['’](?=\p{L})/iu;

/**
 * A French word without its elided article, pronoun or conjunction, with where
 * the rest starts: « l’Apig » → « Apig » at 2, « qu'Arcom » → « Arcom » at 3.
 * A word with no elision comes back whole, at 0.
 */
export function splitElision(word: string): { word: string; at: number } {
  const elision = FR_ELISION.exec(word);
  return elision ? { word: word.slice(elision[0].length), at: elision[0].length } : { word, at: 0 };
}

// The letters a slip may leave out, in either language.
const EDIT_LETTERS = [...'abcdefghijklmnopqrstuvwxyzàâäçéèêëîïôöùûüÿœæ'];

// Letters that differ only by an accent: « Ministere » for « ministère » is a slip of the accent.
const BASE_LETTER: Record<string, string> = {};
for (const [base, accented] of Object.entries({ a: 'àâä', c: 'ç', e: 'éèêë', i: 'îï', o: 'ôö', u: 'ùûü', y: 'ÿ' })) {
  for (const ch of accented) BASE_LETTER[ch] = base;
}
const baseOf = (ch: string): string => BASE_LETTER[ch] ?? ch;

/**
 * The common typing slips that could have made `word` out of a real word, best
 * first: two letters swapped, a letter left out inside it, a letter doubled, a wrong
 * accent. Not any letter changed, added or dropped: a name is very often one
 * such edit away from some word (« Musk », « mus »; « Drahi », « trahi »), and a
 * capitalised word is reported as a likely slip only when the slip is a usual one.
 */
function* typingSlipsOf(word: string): Generator<string> {
  const chars = [...word];
  const join = (parts: string[]): string => parts.join('');
  for (let i = 0; i + 1 < chars.length; i++) {
    if (chars[i] !== chars[i + 1]) yield join([...chars.slice(0, i), chars[i + 1]!, chars[i]!, ...chars.slice(i + 2)]);
  }
  // A letter left out inside the word: at either end, the « word » is more
  // often a name that a longer word contains (« Louette », « alouette »).
  for (let i = 1; i < chars.length; i++) {
    for (const c of EDIT_LETTERS) yield join([...chars.slice(0, i), c, ...chars.slice(i)]);
  }
  for (let i = 0; i + 1 < chars.length; i++) {
    if (chars[i] === chars[i + 1]) yield join([...chars.slice(0, i), ...chars.slice(i + 1)]);
  }
  for (let i = 0; i < chars.length; i++) {
    for (const c of EDIT_LETTERS) {
      if (c !== chars[i] && baseOf(c) === baseOf(chars[i]!)) yield join([...chars.slice(0, i), c, ...chars.slice(i + 1)]);
    }
  }
}

// English possessive: « Ofcom’s » is checked as « Ofcom ».
const EN_POSSESSIVE = /['’]s$/i;

function normalise(word: string): string {
  return word.replace(/’/g, "'").toLocaleLowerCase();
}

/** The words a publication knows besides the dictionary: names, its own name, its word list. */
export function knownWordsOf(publication: Publication, extra: readonly string[] = []): string[] {
  return [publication.name, ...publication.team.map((m) => m.name), ...(publication.words ?? []), ...extra];
}

/**
 * A spell checker for one language and one set of known words (each entry may
 * be several words, such as a person's name; each of its words becomes known,
 * in any case: a word list entry « Arcep » accepts « ARCEP » as well).
 */
export async function createSpellChecker(language: Language, knownWords: readonly string[] = []): Promise<SpellChecker> {
  const hunspells = await dictionaryFor(language);
  const spell = (word: string): boolean => hunspells.some((h) => h.spell(word));
  const known = new Set<string>();
  for (const entry of knownWords) {
    for (const { word } of tokenize(entry)) {
      known.add(normalise(word));
      for (const part of word.split('-')) if (part) known.add(normalise(part));
    }
  }
  const cache = new Map<string, boolean>();
  const close = new Map<string, string | undefined>();

  const check = (word: string): boolean => {
    if (known.has(normalise(word))) return true;
    if (spell(word)) return true;
    // Hunspell accepts a capitalised form of a lower-case word, not the reverse;
    // a word in capitals (a kicker, an acronym of letters) is checked in lower case too.
    if (word === word.toLocaleUpperCase() && spell(word.toLocaleLowerCase())) return true;
    if (language === 'fr') {
      const elision = FR_ELISION.exec(word);
      if (elision) return check(word.slice(elision[0].length));
    } else if (EN_POSSESSIVE.test(word)) {
      return check(word.replace(EN_POSSESSIVE, ''));
    }
    // A compound the dictionary lacks (« data-centre », « franco-allemand ») is
    // right when each of its parts is.
    if (word.includes('-')) return word.split('-').every((part) => part === '' || check(part));
    return false;
  };

  return {
    isKnown(word) {
      let result = cache.get(word);
      if (result === undefined) {
        result = check(word);
        cache.set(word, result);
      }
      return result;
    },
    closeCommonWord(word) {
      const lower = word.toLocaleLowerCase();
      if (close.has(lower)) return close.get(lower);
      let found: string | undefined;
      // Names of one or two letters are one edit away from half the dictionary.
      if ([...lower].length >= 4 && /^\p{L}+$/u.test(lower)) {
        for (const candidate of typingSlipsOf(lower)) {
          // A common word: the dictionary takes it in lower case (a name it holds, « Paris », is not one).
          if (spell(candidate)) {
            found = candidate;
            break;
          }
        }
      }
      close.set(lower, found);
      return found;
    },
    suggest(word) {
      // The first suggestions of each dictionary, best first, without repeats.
      const lists = hunspells.map((h) => h.suggest(word));
      const merged = new Set<string>();
      for (let i = 0; merged.size < 3 && lists.some((l) => i < l.length); i++) {
        for (const list of lists) if (list[i] !== undefined && merged.size < 3) merged.add(list[i]!);
      }
      return [...merged];
    },
  };
}

// Addresses are not words: they are blanked out (same length, so offsets hold) before tokenising.
const NOT_WORDS = [
  /\b(?:https?|ftp):\/\/\S+/g,
  /\b(?:mailto:|www\.)\S+/g,
  /[\p{L}\d._%+-]+@[\p{L}\d-]+(?:\.[\p{L}\d-]+)+/gu,
];

// A word: letters, possibly joined by apostrophes (aujourd’hui, l’Arcep) or
// hyphens (start-up, dit-il). Digits attach to the word so that « 5G » or
// « PLF2025 » are one token, then skipped as not a dictionary word.
const WORD = /[\p{L}\p{M}\d]+(?:['’-][\p{L}\p{M}\d]+)*/gu;

/** Splits text into words, with their offsets; addresses and numbers are left out. */
export function tokenize(text: string): WordToken[] {
  let blanked = text;
  for (const re of NOT_WORDS) blanked = blanked.replace(re, (m) => ' '.repeat(m.length));
  const tokens: WordToken[] = [];
  for (const m of blanked.matchAll(WORD)) tokens.push({ word: m[0], offset: m.index });
  return tokens;
}

/** True when a token is something a dictionary cannot judge: a number, a code, an acronym. */
export function isUncheckable(word: string): boolean {
  if (/\d/.test(word)) return true;
  // « l’AIM » is the acronym AIM after an elision.
  word = word.replace(FR_ELISION, '');
  // An acronym (CNIL, PLFSS, UE): all capitals, no lower-case letter.
  const letters = word.replace(/[^\p{L}]/gu, '');
  return letters.length <= 1 || (letters.length <= 6 && letters === letters.toLocaleUpperCase() && letters !== letters.toLocaleLowerCase());
}

/** Reads a newsroom word list: one word (or name) a line, `#` starts a comment. */
export async function readWordList(path: string): Promise<string[]> {
  const text = await readFile(path, 'utf8');
  return text
    .split(/\r?\n/)
    .map((line) => line.replace(/#.*$/, '').trim())
    .filter((line) => line !== '');
}

/** Where a publication's word list lives: `<slug>.words.txt` beside its settings file. */
export function wordListPathFor(publicationFile: string, slug: string): string {
  return join(dirname(publicationFile), `${slug}.words.txt`);
}

/**
 * The newsroom word list for an edition: `wordsFile` when given (`--words`),
 * else `<slug>.words.txt` beside the publication settings (the given file, or
 * the one found beside the edition), else none.
 */
export async function newsroomWordsFor(options: {
  editionPath: string;
  slug: string | undefined;
  publicationFile?: string | undefined;
  wordsFile?: string | undefined;
}): Promise<string[]> {
  if (options.wordsFile) return readWordList(options.wordsFile);
  if (!options.slug) return [];
  const publicationFile = options.publicationFile ?? findPublicationFile(options.editionPath, options.slug);
  if (!publicationFile) return [];
  const list = wordListPathFor(publicationFile, options.slug);
  return existsSync(list) ? readWordList(list) : [];
}
