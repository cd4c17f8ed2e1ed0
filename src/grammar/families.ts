// Which family (lint rule id) a checker's finding belongs to, or none when
// Matinale does not report it: spelling (the unknown-word rule does it) and
// typography the renderings set (apostrophes, quotes, no-break spaces,
// ellipses, dashes). Grammalecte sorts its rules by option (`gn`, `conj`,
// `conf`…); Harper by lint kind (`Agreement`, `WordChoice`…) and rule name.
import type { GrammarRuleId } from '../edition/grammar.ts';

/** Grammalecte's options, by family; an option not listed is not reported. */
const GRAMMALECTE_OPTIONS: Record<string, GrammarRuleId> = {
  gn: 'grammar-agreement', // nouns and adjectives: « les mesure annoncées »
  ppas: 'grammar-agreement', // past participles: « elles sont parti »
  conj: 'grammar-agreement', // the verb and its subject: « ils mange »
  infi: 'grammar-verb-form', // the infinitive and what it is taken for: « il faut mangé »
  imp: 'grammar-verb-form', // the imperative: « vas voir »
  vmode: 'grammar-verb-form', // moods: « après qu’il soit venu »
  conf: 'grammar-confusion', // homophones: « sa » / « ça », « faîte » / « faite »
  loc: 'grammar-confusion', // set phrases: « au temps pour moi »
  inte: 'grammar-inversion', // a pronoun joined to its verb: « viens-tu », « a-t-il »
  tu: 'grammar-compound', // hyphens: « peut être » for « peut-être »
  virg: 'grammar-punctuation', // commas: « mais » without its comma
  bs: 'grammar-style', // popular usage: « malgré que »
  pleo: 'grammar-style', // pleonasms: « monter en haut »
  maj: 'grammar-style', // capitals: « l’état » for « l’État »
  minis: 'grammar-style',
};

/**
 * The family of a Grammalecte finding. A few rules stand in another option
 * than their family: a conjugated verb after « de » is a `conf` rule
 * (`g2__conf_de_vconj`) but a wrong verb form; the euphonic « t » is an `eleu`
 * rule but the inversion; elisions Grammalecte finds missing or superfluous are
 * left to the fr-elision rule, except the form of a word before a vowel
 * (« ma amie », « ce arbre »), an agreement of sound like English « a apple ».
 */
export function grammalecteFamily(rule: string, option: string): GrammarRuleId | undefined {
  if (option === 'eleu') {
    if (/euphonique|_t_/.test(rule)) return 'grammar-inversion';
    if (/élision/.test(rule)) return undefined;
    return 'grammar-agreement';
  }
  if (/^g\d__conf_.*_vconj/.test(rule)) return 'grammar-verb-form';
  if (/__inte_/.test(rule) || /conf_interro/.test(rule)) return 'grammar-inversion';
  const family = GRAMMALECTE_OPTIONS[option];
  if (family) return family;
  // Rules always on have no option: their id names the kind (`g2__conf_hors_or`, `g2__pleo_verbes`).
  const kind = /^g\w?\d?__([a-z]+)_/.exec(rule)?.[1];
  return kind && kind !== option ? GRAMMALECTE_OPTIONS[kind] : undefined;
}

/** Harper's lint kinds, by family; a kind not listed (Spelling, Typo, Formatting, Regionalism) is not reported. */
const HARPER_KINDS: Record<string, GrammarRuleId> = {
  Agreement: 'grammar-agreement',
  Grammar: 'grammar-verb-form',
  WordChoice: 'grammar-confusion',
  Eggcorn: 'grammar-confusion',
  Malapropism: 'grammar-confusion',
  Usage: 'grammar-confusion',
  BoundaryError: 'grammar-compound',
  Punctuation: 'grammar-punctuation',
  Capitalization: 'grammar-style',
  Style: 'grammar-style',
  Readability: 'grammar-style',
  Redundancy: 'grammar-style',
  Repetition: 'grammar-style',
  Enhancement: 'grammar-style',
  Nonstandard: 'grammar-style',
  Miscellaneous: 'grammar-style',
};

/** Harper rules whose kind does not say their family. */
const HARPER_RULES: Record<string, GrammarRuleId> = {
  AnA: 'grammar-agreement', // « a apple »: the article agrees with the sound of the next word
  DidPast: 'grammar-verb-form', // « did not went »
};

/**
 * Harper rules about typography or spelling, turned off in the checker
 * (so they cost nothing) and refused here again in case a later Harper moves them.
 */
export const HARPER_RULES_OFF = [
  'SpellCheck',
  'Misspell',
  'Dashes',
  'EllipsisLength',
  'UseEllipsisCharacter',
  'Spaces',
  'QuoteSpacing',
  'WrongApostrophe',
  'NoFrenchSpaces',
  'UnclosedQuotes',
  'NumericRangeEnDash',
  'LongSentences',
  'SpelledNumbers',
  // A name that is also an acronym (« Sam » / SAM): names are the unknown-word rule's business.
  'OrthographicConsistency',
  // The same word twice: the doubled-word rule says it already.
  'RepeatedWords',
];

// Rules about close words Harper files under Grammar or Punctuation (TheirToThere, ItsContraction…).
const HARPER_CONFUSIONS = /Their|There|TheyRe|Your|YouRe|Its|Then|Than|Whose|WhoS|Affect|Effect|Lose|Loose|Accept|Except|Contraction/;

/**
 * The family of a Harper finding, from its rule name, lint kind and message:
 * a compound Harper would write closed (« some where ») is one rule per word,
 * filed under Miscellaneous, and said so only in its message.
 */
export function harperFamily(rule: string, kind: string, message = ''): GrammarRuleId | undefined {
  if (HARPER_RULES_OFF.includes(rule)) return undefined;
  const named = HARPER_RULES[rule];
  if (named) return named;
  if (/\bcompound\b/i.test(message) || kind === 'BoundaryError') return 'grammar-compound';
  if ((kind === 'Grammar' || kind === 'Punctuation') && HARPER_CONFUSIONS.test(rule)) return 'grammar-confusion';
  return HARPER_KINDS[kind];
}
