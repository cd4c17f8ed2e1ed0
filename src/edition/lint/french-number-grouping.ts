// « 4000 millions d'euros »: French groups the digits of a number of four
// digits and more (« 4 000 »), but the typesetter only groups five digits and
// more by itself, because a four-digit number is as often a year (« en 2027 »,
// « 2027 les foyers ») that must stay as typed. The linter points at the ones
// that clearly count something, for the author to group:
// - a number followed by a currency, a percent sign, a unit or a counting word
//   (€, %, km, millions, euros, heures…), whatever its value: « 2027 millions »
//   counts millions;
// - a number from 2100 up followed by any lower-case word: no edition writes
//   such a year, so « 4000 foyers » counts foyers;
// - a number from 1000 to 2099 followed by a noun that counts people or things
//   (foyers, postes, personnes…): « 1500 postes ». Followed by any other word it
//   may be a year (« en 2019 contre 2023 », « 2027 les foyers »), and is left alone.
// Numbers glued to letters, decimals and codes after an acronym (ISO 9001) are
// not counts.
import type { LintRule } from './rule.ts';
import { eachMatch } from './rule.ts';
import { UNITS } from '../typography-fr.ts';

/** Nouns that count people or things in news copy, in the singular or the plural. */
const COUNTED = [
  'foyers?', 'postes?', 'personnes?', 'emplois?', 'salariés?', 'salariées?', 'habitants?', 'abonnés?', 'clients?',
  'utilisateurs?', 'utilisatrices?', 'entreprises?', 'logements?', 'communes?', 'élèves?', 'étudiants?', 'agents?',
  'fonctionnaires?', 'lits?', 'places?', 'sites?', 'pages?', 'exemplaires?', 'voix', 'signatures?', 'victimes?',
  'morts?', 'blessés?', 'cas', 'articles?', 'mètres?', 'kilomètres?', 'tonnes?', 'litres?', 'hectares?', 'antennes?',
  'pylônes?', 'poteaux', 'licenciements?', 'recrutements?', 'candidats?', 'candidatures?', 'dossiers?', 'plaintes?',
  'demandes?', 'points?', 'visiteurs?', 'lecteurs?', 'membres?', 'adhérents?', 'participants?', 'manifestants?',
  'policiers?', 'gendarmes?', 'soldats?', 'médecins?', 'enseignants?', 'magasins?', 'boutiques?', 'écoles?',
  'appareils?', 'ordinateurs?', 'serveurs?', 'smartphones?', 'véhicules?', 'voitures?', 'comptes?', 'fois',
];

const SP = '[ \\t\\u00A0\\u202F]';
// The number: four digits alone, not glued to a letter, a digit, a decimal
// part, a range or a code; then what follows it.
const NUMBER = String.raw`(?<![\p{L}\p{N}.,/#°_\-–])(\d{4})(?![\p{N}]|[.,]\p{N}|[\-–/]\p{N})`;
const UNIT_AFTER = new RegExp(`^${SP}?(?:[€$£%]|(?:${[...UNITS, ...COUNTED].join('|')})(?![\\p{L}\\p{N}]))`, 'u');
const COUNTED_AFTER = new RegExp(`^${SP}(?:${COUNTED.join('|')})(?![\\p{L}\\p{N}])`, 'u');
const WORD_AFTER = new RegExp(`^${SP}\\p{Ll}`, 'u');
// An acronym or a code before the number names a standard, a road, a model (ISO 9001, RN 2024).
// Two characters at least, so that « À 4000 euros » is still a count.
const CODE_BEFORE = /(?:^|[\s(«])\p{Lu}[\p{Lu}\p{N}]+[ \t\u00A0\u202F]$/u;

/** Whether the four-digit number `digits`, followed by `after`, clearly counts something. */
export function countsSomething(digits: string, after: string): boolean {
  if (UNIT_AFTER.test(after)) return true;
  const value = Number(digits);
  if (value >= 2100) return WORD_AFTER.test(after);
  return COUNTED_AFTER.test(after);
}

/** Reports a four-digit count typed without its group space, at its first digit. */
export const frenchNumberGrouping: LintRule = {
  id: 'fr-number-grouping',
  languages: ['fr'],
  check(ctx) {
    eachMatch(ctx.texts, new RegExp(NUMBER, 'gu'), (m, offsetOf, piece) => {
      const digits = m[1]!;
      const after = piece.value.slice(m.index + digits.length, m.index + digits.length + 40);
      if (CODE_BEFORE.test(piece.value.slice(Math.max(0, m.index - 40), m.index))) return;
      if (!countsSomething(digits, after)) return;
      const grouped = `${digits[0]} ${digits.slice(1)}`;
      ctx.report('fr-number-grouping', offsetOf(m.index), `« ${digits} » counts something: write « ${grouped} » (French groups four digits and more; years stay as typed)`);
    });
  },
};
