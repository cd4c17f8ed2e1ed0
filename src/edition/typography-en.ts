// English additions to typograf's en-US rules: keep a number with its unit and
// a title with its name. English needs no space before punctuation, and digit
// groups are written with commas by the author, so nothing else is added.
import type { TypografRule } from 'typograf';

const NBSP = '\u00A0';
const SP = '[ \\t\\u00A0\\u202F]';
const INDEX = 1000;

const UNITS = ['am', 'pm', 'a\\.m\\.', 'p\\.m\\.', 'h', 'min', 's', 'km', 'm', 'cm', 'kg', 'g', 'GB', 'MB', 'TB', 'kWh', 'MW', 'GW', '%', 'million', 'billion', 'trillion'];
const TITLES = ['Mr\\.?', 'Mrs\\.?', 'Ms\\.?', 'Dr\\.?', 'No\\.', 'p\\.'];

/** Number and unit on one line (10 am, 5 million, 40 GB). */
export const enUnits: TypografRule = {
  name: 'en-US/matinale/units',
  index: INDEX,
  handler: (text) => text.replace(new RegExp(`(\\d)${SP}+(${UNITS.join('|')})(?![\\p{L}\\d])`, 'gu'), `$1${NBSP}$2`),
};

/** A title stays with the name that follows (Dr Smith, Mr. Jones). */
export const enTitles: TypografRule = {
  name: 'en-US/matinale/titles',
  index: INDEX,
  handler: (text) => text.replace(new RegExp(`(^|[\\s(“])(${TITLES.join('|')})${SP}+(?=[\\p{Lu}\\d])`, 'gu'), `$1$2${NBSP}`),
};

/** The English rules, in the order they are registered. */
export const ENGLISH_RULES: readonly TypografRule[] = [enUnits, enTitles];
