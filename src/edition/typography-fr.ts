// French spacing as typograf rules of our own: typograf ships quotes,
// apostrophes and ellipses for French, but no spacing rule at all, and its
// common rules delete the space French wants before ; ! ? :.
//
// House choices (BRIEFING-MARKDOWN.md, « Typography »):
// - U+202F (narrow no-break space, « fine insécable ») before ; ! ? and %, inside
//   « », and between digit groups (300 000), as the Imprimerie nationale and
//   CLDR's French number format do;
// - U+00A0 (no-break space) before :, between a number and its unit or the word
//   it counts (9 h 30, 35 millions, 5 €), after courtesy titles (M. Dupont),
//   and before a dash that opens an aside;
// - digits are grouped only when the author typed the groups (300 000) or when a
//   number of five digits or more is followed by a lower-case word or a currency
//   (10000 foyers → 10 000 foyers): postal codes (75002 Paris), standards
//   (ISO 27001) and years stay as typed.
import type { TypografRule } from 'typograf';

const NBSP = '\u00A0';
const NNBSP = '\u202F';
/** Any horizontal space an author or an earlier rule may have left. */
const SP = '[ \\t\\u00A0\\u202F\\u2009]';

// After typograf's own default-queue rules (the last one is at 910), so that
// our spacing is what remains; URLs and addresses are still hidden then.
const INDEX = 1000;

/** Units, currencies and counting words that must stay on the line of their number (as regex sources; lint reads them too). */
export const UNITS = [
  'h', 'min', 's', 'ms', 'j', 'km', 'm', 'cm', 'mm', 'kg', 'g', 't', 'l', 'ha',
  'Ko', 'Mo', 'Go', 'To', 'Po', 'kbit/s', 'Mbit/s', 'Gbit/s', 'kWh', 'MWh', 'GWh', 'TWh', 'kW', 'MW', 'GW',
  '€', 'M€', 'Md€', 'Mds', '\\$', '£', '°C', '°', 'millions?', 'milliards?', 'mille', 'centaines?', 'dizaines?',
  'heures?', 'minutes?', 'secondes?', 'jours?', 'semaines?', 'mois', 'ans', 'années', 'euros?', 'dollars?',
];

const MONTHS = 'janvier|février|mars|avril|mai|juin|juillet|août|septembre|octobre|novembre|décembre';

/** Abbreviations that stay with the word that follows (courtesy titles, numbers). */
const BEFORE_NAME = ['M\\.', 'MM\\.', 'Mme', 'Mmes', 'Mlle', 'Mlles', 'Dr', 'Pr', 'n°', 'N°', 'art\\.', 'p\\.'];

/** Narrow no-break space before ; ! ? (one space, whatever the author typed). */
export const frHighPunctuation: TypografRule = {
  name: 'fr/matinale/highPunctuation',
  index: INDEX,
  // A run such as ?! takes one space, before its first mark; an opening
  // bracket or quote before the mark means it is quoted alone, not spaced.
  handler: (text) => text.replace(new RegExp(`([^\\s\\u00A0\\u202F(\\[«!?;])${SP}*([!?;])`, 'g'), `$1${NNBSP}$2`),
};

/** No-break space before a colon that ends a clause; 9:30 and mailto: are left alone. */
export const frColon: TypografRule = {
  name: 'fr/matinale/colon',
  index: INDEX,
  handler: (text) => text.replace(new RegExp(`([^\\s\\u00A0\\u202F])${SP}*:(?=\\s|$|[»)\\]])`, 'g'), `$1${NBSP}:`),
};

/** Narrow no-break space inside « » guillemets, typed or made from straight quotes. */
export const frGuillemets: TypografRule = {
  name: 'fr/matinale/guillemets',
  index: INDEX,
  // Each side on its own, so that a text fragment that holds only « or » (a
  // quote around a link) is set as well as a whole sentence.
  handler: (text) =>
    text.replace(new RegExp(`«${SP}*`, 'g'), `«${NNBSP}`).replace(new RegExp(`${SP}*»`, 'g'), `${NNBSP}»`),
};

/** Narrow no-break spaces between digit groups (300 000, 10000 foyers → 10 000 foyers). */
export const frDigitGroups: TypografRule = {
  name: 'fr/matinale/digitGroups',
  index: INDEX,
  handler: (text) =>
    text
      // Groups the author typed: make them unbreakable.
      .replace(new RegExp(`(^|[^\\d,.\\p{L}])(\\d{1,3}(?:${SP}\\d{3})+)(?![\\d,.]\\d)(?!\\d)`, 'gu'), (_m, before: string, num: string) =>
        before + num.replace(new RegExp(SP, 'g'), NNBSP),
      )
      // Long numbers typed without groups, only where they clearly count something.
      .replace(
        new RegExp(`(^|[^\\d,.\\p{L}])(\\d{5,})(?=${SP}?[€$£%]|${SP}\\p{Ll})`, 'gu'),
        (_m, before: string, num: string) => before + num.replace(/\B(?=(\d{3})+$)/g, NNBSP),
      ),
};

/** Number and unit or counted word on one line (9 h 30, 5 €, 35 millions, 20 %, le 2 mars). */
export const frUnits: TypografRule = {
  name: 'fr/matinale/units',
  index: INDEX + 1,
  handler: (text) =>
    text
      .replace(new RegExp(`(\\d)${SP}+(${UNITS.join('|')})(?![\\p{L}\\d])`, 'gu'), `$1${NBSP}$2`)
      // The minutes of « 9 h 30 » stay with their hour.
      .replace(new RegExp(`(\\d${NBSP}h)${SP}+(\\d{2})(?!\\d)`, 'g'), `$1${NBSP}$2`)
      .replace(new RegExp(`(\\d)${SP}*%`, 'g'), `$1${NNBSP}%`)
      // A date's day stays with its month (« le 2 mars », « le 1er avril »).
      .replace(new RegExp(`(?<!\\d)(\\d{1,2}(?:er)?)${SP}+(${MONTHS})(?![\\p{L}])`, 'giu'), `$1${NBSP}$2`),
};

/** No-break space after courtesy titles and numbering abbreviations (M. Dupont, n° 5). */
export const frAbbreviations: TypografRule = {
  name: 'fr/matinale/abbreviations',
  index: INDEX,
  handler: (text) =>
    text.replace(new RegExp(`(^|[\\s(«])(${BEFORE_NAME.join('|')})${SP}+(?=[\\p{Lu}\\d])`, 'gu'), `$1$2${NBSP}`),
};

/** A spaced hyphen or double hyphen is an aside dash: « — », held to the word before it. */
export const frDash: TypografRule = {
  name: 'fr/matinale/dash',
  index: INDEX,
  handler: (text) => text.replace(new RegExp(`(\\S)${SP}+(?:--?-?|–|—)(?=${SP})`, 'g'), `$1${NBSP}—`),
};

/** The French rules, in the order they are registered. */
export const FRENCH_RULES: readonly TypografRule[] = [
  frHighPunctuation,
  frColon,
  frGuillemets,
  frDigitGroups,
  frUnits,
  frAbbreviations,
  frDash,
];
