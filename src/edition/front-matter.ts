// The front matter of an edition (BRIEFING-MARKDOWN.md): which keys exist,
// which are required, and what each value may be. Every problem is reported at
// the place of the offending key or value in the edition file.
import { headerTextProblem } from './mailbox.ts';
import { isMap, isScalar, isSeq } from 'yaml';
import { fromMarkdown } from 'mdast-util-from-markdown';
import type { Nodes } from 'mdast';
import type { Node as YamlNode } from 'yaml';
import type { Diagnostic } from './diagnostic.ts';
import { didYouMean } from './closest-key.ts';
import { diagnostic } from './rules.ts';
import { mappingEntries, parseYamlSource } from './yaml-source.ts';
import type { Place } from './yaml-source.ts';
import { characterColumn } from './source-lines.ts';
import { clip } from './parse-inline.ts';

/** Every key the front matter may hold, in the order the format lists them. */
export const FRONT_MATTER_KEYS = ['publication', 'date', 'by', 'with', 'thanks', 'subject', 'preheader'] as const;
export type FrontMatterKey = (typeof FRONT_MATTER_KEYS)[number];

const REQUIRED: readonly FrontMatterKey[] = ['publication', 'date', 'by'];

/** The front matter's values once checked; a key is absent when missing or invalid. */
export interface FrontMatter {
  publication?: string;
  date?: string;
  by?: string[];
  with?: string[];
  thanks?: string;
  subject?: string;
  preheader?: string;
  /** Where each present key was written, for diagnostics that come later (publication mismatch). */
  places: Partial<Record<FrontMatterKey, Place>>;
}

/** How many YAML syntax errors are reported: the rest follow from the first ones. */
export const MAX_YAML_PROBLEMS = 5;

export const SLUG_PATTERN = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

/** True when `text` is `YYYY-MM-DD` and names a day that exists in the Gregorian calendar. */
export function isRealDate(text: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!m) return false;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (month < 1 || month > 12 || day < 1) return false;
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return day <= daysInMonth;
}

/**
 * Parses and checks the YAML of a front matter, which starts at `origin` in
 * `file`; returns the values it could accept and a diagnostic for each problem.
 */
export function parseFrontMatter(
  yamlText: string,
  origin: Place,
  file: string,
  /**
   * Where a missing required key is reported: the closing `---` line, before
   * which the key is to be written (the origin when unknown).
   */
  closing: Place = origin,
): { data: FrontMatter; diagnostics: Diagnostic[] } {
  const lacks = (key: FrontMatterKey): Diagnostic =>
    diagnostic('front-matter-required', file, closing, `front matter lacks \`${key}\`: add it above the closing \`---\``);
  const diagnostics: Diagnostic[] = [];
  const data: FrontMatter = { places: {} };
  const source = parseYamlSource(yamlText, origin);
  // One YAML mistake cascades (each `[` left open is one more error): the first few say it all.
  for (const p of source.problems.slice(0, MAX_YAML_PROBLEMS)) {
    diagnostics.push(diagnostic('front-matter-yaml', file, p.at, `front matter: ${p.message}`));
  }

  const contents = source.doc.contents;
  if (contents === null || (isScalar(contents) && (contents.value === null || contents.value === ''))) {
    for (const key of REQUIRED) diagnostics.push(lacks(key));
    return { data, diagnostics };
  }
  if (!isMap(contents)) {
    diagnostics.push(
      diagnostic('front-matter-not-mapping', file, source.placeOf(contents), 'front matter must be `key: value` lines (publication, date, by…)'),
    );
    return { data, diagnostics };
  }

  const seen = new Set<string>();
  for (const { key, keyNode, value } of mappingEntries(contents)) {
    const place = source.placeOf(keyNode);
    const valuePlace = value ? source.placeOf(value) : place;
    if (!(FRONT_MATTER_KEYS as readonly string[]).includes(key)) {
      diagnostics.push(
        diagnostic('front-matter-unknown-key', file, place, `unknown front-matter key \`${key}\`${suggestion(key)}`),
      );
      continue;
    }
    const known = key as FrontMatterKey;
    // `with:` left blank (or `~`) means none: an empty optional key is no mistake.
    if (isEmptyValue(value) && !REQUIRED.includes(known)) {
      seen.add(known);
      continue;
    }
    // yaml already reports duplicate keys; keep the first value.
    if (seen.has(known)) continue;
    seen.add(known);
    data.places[known] = place;
    switch (known) {
      case 'publication': {
        const text = scalarText(value);
        if (text === undefined || text === '') {
          diagnostics.push(diagnostic('front-matter-type', file, valuePlace, '`publication` must be the slug of a publication (for instance `tech-matin`)'));
        } else if (!SLUG_PATTERN.test(text)) {
          diagnostics.push(
            diagnostic('front-matter-publication', file, valuePlace, `\`publication\` \`${text}\` is not a slug: lower-case letters, digits and dashes`),
          );
        } else {
          data.publication = text;
        }
        break;
      }
      case 'date': {
        const text = scalarText(value);
        if (text === undefined || !/^\d{4}-\d{2}-\d{2}$/.test(text)) {
          diagnostics.push(
            diagnostic('front-matter-date', file, valuePlace, `\`date\` must be written YYYY-MM-DD (for instance 2026-03-02)${text ? `, not \`${text}\`` : ''}`),
          );
        } else if (!isRealDate(text)) {
          diagnostics.push(diagnostic('front-matter-date', file, valuePlace, `\`date\` ${text} does not exist in the calendar`));
        } else {
          data.date = text;
        }
        break;
      }
      case 'by':
      case 'with': {
        const names = readNames(value, known, file, valuePlace, source.placeOf, diagnostics);
        if (names) {
          data[known] = names;
          const items = isSeq(value) ? value.items : [value];
          names.forEach((name, i) => checkHtml(name, known, file, source.placeOf(items[i]), diagnostics));
        }
        break;
      }
      case 'thanks':
      case 'subject':
      case 'preheader': {
        const text = scalarText(value);
        if (text === undefined) {
          diagnostics.push(diagnostic('front-matter-type', file, valuePlace, `\`${known}\` must be a line of text`));
        } else if (known === 'subject' && headerTextProblem(text)) {
          // The subject becomes the mail's Subject header, which takes no line break or control character.
          diagnostics.push(diagnostic('front-matter-type', file, valuePlace, `\`subject\` ${headerTextProblem(text)!}: it becomes the mail's Subject header`));
        } else if (text.trim() !== '') {
          data[known] = text;
          checkHtml(text, known, file, valuePlace, diagnostics);
        }
        break;
      }
    }
  }
  for (const key of REQUIRED) {
    if (!seen.has(key)) diagnostics.push(lacks(key));
  }
  return { data, diagnostics };
}

/**
 * Raw HTML in a front-matter value is an error, as in the body: it would be
 * shown as text (renderers escape it) or, worse, taken for markup by a client.
 * Markdown decides what HTML is, so that `<jeanne@example.org>` (an autolink)
 * is not, and the body and the front matter agree.
 */
function checkHtml(text: string, key: FrontMatterKey, file: string, place: Place, diagnostics: Diagnostic[]): void {
  if (!text.includes('<')) return;
  const html = firstHtml(fromMarkdown(text));
  if (html !== undefined) {
    diagnostics.push(diagnostic('raw-html', file, place, `raw HTML \`${clip(html)}\` in \`${key}\` is not part of the format: write plain text`));
  }
}

/** The first raw HTML of a Markdown tree, iteratively. */
function firstHtml(root: Nodes): string | undefined {
  const stack: Nodes[] = [root];
  while (stack.length) {
    const node = stack.pop()!;
    if (node.type === 'html') return node.value;
    if ('children' in node) for (let i = node.children.length - 1; i >= 0; i--) stack.push(node.children[i] as Nodes);
  }
  return undefined;
}

/** Words authors reach for instead of the format's keys, and the key they mean. */
const SYNONYMS: Record<string, FrontMatterKey> = {
  author: 'by',
  authors: 'by',
  auteur: 'by',
  auteurs: 'by',
  par: 'by',
  contributors: 'with',
  avec: 'with',
  credits: 'thanks',
  merci: 'thanks',
  title: 'subject',
  titre: 'subject',
  sujet: 'subject',
  objet: 'subject',
  newsletter: 'publication',
};

/** " (did you mean `by`?)" from a near spelling or a synonym, or nothing. */
function suggestion(key: string): string {
  const synonym = SYNONYMS[key.toLowerCase()];
  return synonym && Object.hasOwn(SYNONYMS, key.toLowerCase()) ? ` (did you mean \`${synonym}\`?)` : didYouMean(key, FRONT_MATTER_KEYS);
}

function isEmptyValue(node: YamlNode | null): boolean {
  return node === null || (isScalar(node) && (node.value === null || node.value === undefined));
}

/** The text of a scalar (numbers and booleans as written), or undefined for anything else. */
function scalarText(node: YamlNode | null): string | undefined {
  if (!isScalar(node) || node.value === null || node.value === undefined) return undefined;
  const v = node.value;
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') {
    // Keep what the author typed (`2026` stays `2026`, `1e3` stays `1e3`).
    return node.source ?? String(v);
  }
  return undefined;
}

/** `by`/`with`: one name or a list of names, none empty. */
function readNames(
  value: YamlNode | null,
  key: string,
  file: string,
  place: Place,
  placeOf: (node: unknown) => Place,
  diagnostics: Diagnostic[],
): string[] | undefined {
  if (isSeq(value)) {
    const names: string[] = [];
    let ok = true;
    for (const item of value.items) {
      const text = scalarText(item as YamlNode | null);
      if (text === undefined) {
        diagnostics.push(diagnostic('front-matter-type', file, placeOf(item) ?? place, `\`${key}\` must list names, one text per name`));
        ok = false;
      } else if (text.trim() === '') {
        diagnostics.push(diagnostic('front-matter-name', file, placeOf(item) ?? place, `empty name in \`${key}\``));
        ok = false;
      } else {
        names.push(text.trim());
      }
    }
    if (ok && names.length === 0 && key === 'by') {
      diagnostics.push(diagnostic('front-matter-name', file, place, '`by` must name at least one author'));
      return undefined;
    }
    return ok ? names : undefined;
  }
  if (isEmptyValue(value)) {
    diagnostics.push(diagnostic('front-matter-name', file, place, `\`${key}\` is empty: write a name or a list of names`));
    return undefined;
  }
  const text = scalarText(value);
  if (text === undefined) {
    diagnostics.push(diagnostic('front-matter-type', file, place, `\`${key}\` must be a name or a list of names ([Ann Lee, Bo Chen])`));
    return undefined;
  }
  if (text.trim() === '') {
    diagnostics.push(diagnostic('front-matter-name', file, place, `empty name in \`${key}\``));
    return undefined;
  }
  return [text.trim()];
}

/**
 * The `publication` slug of an edition's front matter, read cheaply before the
 * full parse so that its settings can be found first; undefined when absent.
 */
export function publicationSlugOf(source: string): string | undefined {
  return publicationRefOf(source)?.slug;
}

/** The `publication` slug of an edition's front matter and the place of its value in the file. */
export function publicationRefOf(source: string): { slug: string; at: Place } | undefined {
  const m = /^\uFEFF?---[ \t]*\r?\n([\s\S]*?)(?:\r?\n|^)---[ \t]*(?:\r?\n|$)/.exec(source);
  if (!m) return undefined;
  try {
    // The YAML starts on line 2, after the opening `---`.
    const yaml = parseYamlSource(m[1]!, { line: 2, column: 1 });
    const contents = yaml.doc.contents;
    const node = isMap(contents) ? contents.get('publication', true) : undefined;
    const value = isScalar(node) ? node.value : undefined;
    if (typeof value !== 'string' || !SLUG_PATTERN.test(value)) return undefined;
    // The column in characters, as every diagnostic gives it.
    const at = yaml.placeOf(node);
    const line = source.replace(/^\uFEFF/, '').split(/\r\n|\r|\n/)[at.line - 1] ?? '';
    return { slug: value, at: { line: at.line, column: characterColumn(line, at.column) } };
  } catch {
    return undefined;
  }
}
