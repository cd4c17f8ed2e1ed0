// The one registry of the rule ids that parsing and validation emit: every id
// is declared here once, with its severity and what it means, so that the CLI,
// the dashboard and the docs can list them and a test can check none is missing.
import type { Diagnostic, Severity } from './diagnostic.ts';
import type { Point } from './model.ts';
import { LINT_RULES } from './lint/lint-rules.ts';

export interface RuleInfo {
  severity: Severity;
  description: string;
}

export const EDITION_RULES = {
  'file-unreadable': { severity: 'error', description: 'the edition or publication file cannot be read' },
  'front-matter-missing': { severity: 'error', description: 'the edition does not open with a `---` YAML front matter' },
  'front-matter-unclosed': { severity: 'error', description: 'the front matter opened by `---` is never closed by `---`' },
  'front-matter-yaml': { severity: 'error', description: 'the front matter is not valid YAML' },
  'front-matter-not-mapping': { severity: 'error', description: 'the front matter is not a set of `key: value` lines' },
  'front-matter-required': { severity: 'error', description: 'a required front-matter key (publication, date, by) is missing' },
  'front-matter-unknown-key': { severity: 'error', description: 'a front-matter key the format does not know' },
  'front-matter-type': { severity: 'error', description: 'a front-matter value of the wrong kind (text, name or list of names)' },
  'front-matter-name': { severity: 'error', description: 'an empty name in `by` or `with`' },
  'front-matter-date': { severity: 'error', description: 'the edition date is not a real date written YYYY-MM-DD' },
  'front-matter-publication': { severity: 'error', description: 'the publication is not a slug (lower-case letters, digits, dashes)' },
  'publication-mismatch': { severity: 'error', description: 'the front matter names another publication than the settings given' },
  'publication-not-found': { severity: 'error', description: 'no publication settings file was found for the edition' },
  'publication-yaml': { severity: 'error', description: 'the publication settings file is not valid YAML' },
  'publication-unknown-key': { severity: 'error', description: 'a publication settings key that is not known' },
  'publication-required': { severity: 'error', description: 'a required publication setting is missing' },
  'publication-invalid': { severity: 'error', description: 'a publication setting has a wrong value' },
  'raw-html': { severity: 'error', description: 'raw HTML is not part of the format' },
  'heading-too-deep': { severity: 'error', description: 'headings deeper than `##` are not part of the format' },
  'heading-empty': { severity: 'error', description: 'a section label or a kicker without text' },
  'story-outside-section': { severity: 'error', description: 'a `##` story before any `#` section' },
  'story-empty': { severity: 'error', description: 'a story without text under its kicker' },
  'edition-too-large': { severity: 'error', description: 'an edition source too long to be a briefing (over 256 KiB)' },
  'edition-empty': { severity: 'error', description: 'an edition without any `#` section' },
  'section-empty': { severity: 'error', description: 'a section with neither content nor stories' },
  'code-block': { severity: 'error', description: 'code blocks are not part of the format' },
  'inline-code': { severity: 'error', description: 'inline code is not part of the format' },
  table: { severity: 'error', description: 'tables are not part of the format' },
  'thematic-break': { severity: 'error', description: 'thematic breaks (`---`, `***`) are not part of the format' },
  blockquote: { severity: 'error', description: 'blockquotes are not part of the format, except the `> menu:` teaser' },
  'menu-misplaced': { severity: 'error', description: 'a `> menu:` teaser that is not directly under a kicker' },
  'menu-not-quoted': { severity: 'warning', description: 'a `menu:` paragraph under a kicker that lacks its `>` (it reads as story text)' },
  'heading-no-space': { severity: 'warning', description: 'a line like `#Label` that is not a heading for lack of a space after `#`' },
  'teaser-empty': { severity: 'error', description: 'a `> menu:` line without a teaser' },
  'teaser-extra-content': { severity: 'error', description: 'a `> menu:` blockquote holding more than the one teaser paragraph' },
  'teaser-lazy-line': { severity: 'error', description: 'a line without `>` that Markdown joins to the teaser (leave a blank line after it)' },
  'link-url': { severity: 'error', description: 'a link that is not an absolute http, https or mailto URL' },
  'link-empty': { severity: 'error', description: 'a link without text' },
  'image-alt': { severity: 'error', description: 'an image without alt text' },
  'image-url': { severity: 'error', description: 'an image whose URL is not an absolute http or https URL' },
  'reference-link': { severity: 'error', description: 'reference-style links and images (`[text][ref]`) are not part of the format' },
  definition: { severity: 'error', description: 'link reference definitions (`[ref]: url`) are not part of the format' },
  footnote: { severity: 'error', description: 'footnotes are not part of the format' },
  'list-item-empty': { severity: 'error', description: 'a list item without text' },
  'list-item-complex': { severity: 'error', description: 'a list item holding more than one paragraph (nested lists, several paragraphs)' },
} as const satisfies Record<string, RuleInfo>;

export type EditionRuleId = keyof typeof EDITION_RULES;

/** True when `id` is a rule id of this registry. */
export function isEditionRule(id: string): id is EditionRuleId {
  return Object.hasOwn(EDITION_RULES, id);
}

/** Builds a diagnostic for a registered rule, with the severity the registry gives it. */
export function diagnostic(
  rule: EditionRuleId,
  file: string,
  at: Pick<Point, 'line' | 'column'> | undefined,
  message: string,
): Diagnostic {
  return {
    file,
    line: Math.max(1, at?.line ?? 1),
    column: Math.max(1, at?.column ?? 1),
    severity: EDITION_RULES[rule].severity,
    rule,
    message,
  };
}

/** Every rule id a diagnostic may carry: those of parsing and validation above, and the lint rules (warnings). */
export const ALL_RULES: Readonly<Record<string, RuleInfo>> = { ...EDITION_RULES, ...LINT_RULES };
