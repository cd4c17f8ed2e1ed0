// The ids of the lint rules, each declared once with what it means. All but
// one are warnings: they point at what the typesetter cannot decide alone, and
// never stop a render or a send. The template's placeholder text left in is an
// error: an edition holding it cannot go to review or out.
import type { RuleInfo } from '../rules.ts';

/** Every lint rule id, with its severity and what it means. */
export const LINT_RULES = {
  'fr-elision': { severity: 'warning', description: 'French: an elision before a consonant or an h aspiré (« l’source », « l’hauteur »)' },
  'fr-apostrophe-space': { severity: 'warning', description: 'French: a space after an elision apostrophe (« l’ Sommet »)' },
  'fr-quote-apostrophe': { severity: 'warning', description: 'French: an opening quote or a backtick used as an apostrophe (« l ‘innovation »)' },
  'fr-straight-quotes': { severity: 'warning', description: 'French: straight double quotes where « » guillemets are expected' },
  'fr-number-grouping': {
    severity: 'warning',
    description: 'French: a four-digit number that counts something typed without its group space (« 4000 millions » for « 4 000 millions »; years stay as typed)',
  },
  'doubled-word': { severity: 'warning', description: 'the same word twice in a row (« le le », « the the »)' },
  'unknown-word': { severity: 'warning', description: 'a word unknown to the dictionary, the team’s names, the publication’s words and the newsroom word list' },
  'teaser-missing': { severity: 'warning', description: 'a story of the first section without a menu teaser (`> menu: …`)' },
  'menu-too-long': { severity: 'warning', description: 'a menu of more than five teasers' },
  'kicker-too-long': { severity: 'warning', description: 'a kicker longer than ten words' },
  'template-text-left': { severity: 'error', description: 'a kicker, teaser or paragraph of the new edition’s template left unchanged' },
  // Grammar findings (src/edition/grammar.ts): one id per family, whatever the
  // checker (Grammalecte for French, Harper for English) calls its own rules.
  'grammar-agreement': {
    severity: 'warning',
    description: 'grammar: a word that does not agree with the one it goes with (« les mesure annoncées », « she have », « a apple »)',
  },
  'grammar-verb-form': {
    severity: 'warning',
    description: 'grammar: the wrong form of a verb for its place (« prévu de déposez », « did not went »)',
  },
  'grammar-confusion': {
    severity: 'warning',
    description: 'grammar: a word taken for a close one (« sa » for « ça », « could of », « went their »)',
  },
  'grammar-inversion': {
    severity: 'warning',
    description: 'grammar, French: a broken interrogative inversion (« A-elle indiqué » for « A-t-elle indiqué »)',
  },
  'grammar-compound': {
    severity: 'warning',
    description: 'grammar: a compound written apart, joined or hyphenated wrongly (« vis à vis » for « vis-à-vis », « some where »)',
  },
  'grammar-punctuation': {
    severity: 'warning',
    description: 'grammar: missing or misplaced punctuation (a comma before « mais », « its » for « it’s »); not the spacing the renderings set',
  },
  'grammar-style': {
    severity: 'warning',
    description: 'grammar: style a careful editor would change (pleonasms, colloquialisms, repeated words)',
  },
} as const satisfies Record<string, RuleInfo>;

/** The id of a lint rule. */
export type LintRuleId = keyof typeof LINT_RULES;
