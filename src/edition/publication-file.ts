// Publication settings as a YAML file (BRIEFING-MARKDOWN.md, « Publication
// settings »): validated with the one schema of publication.ts, each problem
// placed at the line and column of the key or value it is about.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { isMap, isScalar, isPair } from 'yaml';
import type { core as zcore } from 'zod';
import type { Diagnostic } from './diagnostic.ts';
import { didYouMean } from './closest-key.ts';
import { LANGUAGES, PUBLICATION_KEYS, publicationSchema, teamMemberSchema } from './publication.ts';
import type { Language, Publication } from './publication.ts';
import { diagnostic } from './rules.ts';
import { MAX_YAML_PROBLEMS, SLUG_PATTERN } from './front-matter.ts';
import { parseYamlSource } from './yaml-source.ts';
import { SourceLines } from './source-lines.ts';
import type { Place, YamlSource } from './yaml-source.ts';

const TEAM_MEMBER_KEYS = Object.keys(teamMemberSchema.shape);

/** Parses and validates a publication settings file; the publication is there only when valid. */
export function parsePublicationYaml(text: string, file: string): { publication?: Publication; diagnostics: Diagnostic[] } {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const lines = new SourceLines(body);
  const result = checkPublicationYaml(body, file);
  // Columns in characters, as an editor shows them (yaml counts UTF-16 code units).
  return { ...result, diagnostics: result.diagnostics.map((d) => ({ ...d, ...lines.place(d) })) };
}

function checkPublicationYaml(text: string, file: string): { publication?: Publication; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const source = parseYamlSource(text);
  for (const p of source.problems.slice(0, MAX_YAML_PROBLEMS)) diagnostics.push(diagnostic('publication-yaml', file, p.at, `publication settings: ${p.message}`));
  // With broken YAML the structure is a guess: schema problems would only add noise.
  if (diagnostics.length) return { diagnostics };
  if (!isMap(source.doc.contents)) {
    diagnostics.push(
      diagnostic('publication-invalid', file, source.placeOf(source.doc.contents), 'publication settings must be `key: value` lines (slug, name, language…)'),
    );
    return { diagnostics };
  }
  let data: unknown;
  try {
    data = source.doc.toJS({ maxAliasCount: 100 });
  } catch (err) {
    diagnostics.push(diagnostic('publication-yaml', file, { line: 1, column: 1 }, `publication settings: ${(err as Error).message}`));
    return { diagnostics };
  }
  const result = publicationSchema.safeParse(data);
  if (result.success) return { publication: result.data, diagnostics };
  for (const issue of result.error.issues) diagnostics.push(...issueDiagnostics(issue, source, file, data));
  diagnostics.sort((a, b) => a.line - b.line || a.column - b.column);
  return { diagnostics };
}

/**
 * The `language` of publication settings that may be invalid otherwise, when
 * it is one the platform knows; undefined when it cannot be read.
 */
export function languageOfPublicationYaml(text: string): Language | undefined {
  const { doc } = parseYamlSource(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  const value: unknown = isMap(doc.contents) ? doc.contents.get('language') : undefined;
  return (LANGUAGES as readonly unknown[]).includes(value) ? (value as Language) : undefined;
}

/** One zod issue as diagnostics at the place of the YAML node it is about. */
function issueDiagnostics(issue: zcore.$ZodIssue, source: YamlSource, file: string, data: unknown): Diagnostic[] {
  const path = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
  const name = pathName(path);
  if (issue.code === 'unrecognized_keys') {
    const known = path.length === 0 ? PUBLICATION_KEYS : path[0] === 'team' ? TEAM_MEMBER_KEYS : [];
    return issue.keys.map((key) =>
      diagnostic(
        'publication-unknown-key',
        file,
        keyPlace(source, path, key),
        `unknown key \`${key}\`${path.length ? ` in \`${name}\`` : ''}${didYouMean(key, known)}`,
      ),
    );
  }
  if (path.length > 0 && valueAt(data, path) === undefined) {
    const parent = path.slice(0, -1);
    return [diagnostic('publication-required', file, nodePlace(source, parent), `publication settings lack \`${name}\``)];
  }
  if (issue.code === 'too_small' && Number(issue.minimum) === 1) {
    const what = issue.origin === 'array' ? 'must hold at least one entry' : 'must not be empty';
    return [diagnostic('publication-invalid', file, nodePlace(source, path), `\`${name}\` ${what}`)];
  }
  const message = /^(is|must|has) /.test(issue.message) ? `\`${name}\` ${issue.message}` : `\`${name}\`: ${lowerFirst(issue.message)}`;
  return [diagnostic('publication-invalid', file, nodePlace(source, path), message)];
}

/** `team[0].email`, the way a reader names a place in the file. */
function pathName(path: ReadonlyArray<string | number>): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('') || '(top)';
}

function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}

function valueAt(data: unknown, path: ReadonlyArray<string | number>): unknown {
  let v = data;
  for (const p of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string | number, unknown>)[p];
  }
  return v;
}

/** The place of the node at `path`, or of its nearest ancestor that exists. */
function nodePlace(source: YamlSource, path: ReadonlyArray<string | number>): Place {
  for (let n = path.length; n >= 0; n--) {
    const node = n === 0 ? source.doc.contents : source.doc.getIn(path.slice(0, n), true);
    if (node && typeof node === 'object' && 'range' in node) return source.placeOf(node);
  }
  return { line: 1, column: 1 };
}

/** The place of `key` inside the mapping at `path`. */
function keyPlace(source: YamlSource, path: ReadonlyArray<string | number>, key: string): Place {
  const map = path.length === 0 ? source.doc.contents : source.doc.getIn(path, true);
  if (isMap(map)) {
    for (const pair of map.items) {
      if (isPair(pair) && isScalar(pair.key) && String(pair.key.value) === key) return source.placeOf(pair.key);
    }
  }
  return nodePlace(source, path);
}

/**
 * Where the settings of publication `slug` are looked for when none is given:
 * `publications/<slug>.yaml` beside the edition, then in its parent folder.
 */
export function publicationCandidates(editionPath: string, slug: string): string[] {
  // A slug is a file name part: anything else (`../x`) must not reach the file system.
  if (!SLUG_PATTERN.test(slug)) return [];
  const here = dirname(editionPath);
  return [join(here, 'publications', `${slug}.yaml`), join(dirname(here), 'publications', `${slug}.yaml`)];
}

/** The first of `publicationCandidates` that exists, if any. */
export function findPublicationFile(editionPath: string, slug: string): string | undefined {
  return publicationCandidates(editionPath, slug).find((p) => existsSync(p));
}
