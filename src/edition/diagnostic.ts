// Problems in content are diagnostics, not exceptions: the parser and the
// linter return all of them, each with its place, and the caller decides.

// An error stops a render or a send; a warning asks a person to look; an info
// is worth a glance and nothing more (an unknown word that is most likely a
// name): it never fails a lint and is counted apart.
export type Severity = 'error' | 'warning' | 'info';

/** Every severity, worst first. */
export const SEVERITIES: readonly Severity[] = ['error', 'warning', 'info'];

/** One problem found in a source file, at a 1-based line and column. */
export interface Diagnostic {
  file: string;
  line: number;
  column: number;
  severity: Severity;
  /** Stable rule id, kebab-case (`front-matter-unknown-key`, `fr-elision`…). */
  rule: string;
  message: string;
  /** The word concerned, for a diagnostic about one word (`unknown-word`): what « add to the word list » adds. */
  word?: string;
}

/** `FILE:LINE:COL severity rule-id message`, the one format every command prints. */
export function formatDiagnostic(d: Diagnostic): string {
  return `${d.file}:${d.line}:${d.column} ${d.severity} ${d.rule} ${d.message}`;
}

/** True when any diagnostic is an error (an error stops a render or a send). */
export function hasErrors(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === 'error');
}

/** How many diagnostics of each severity. */
export function countBySeverity(diagnostics: readonly Diagnostic[]): Record<Severity, number> {
  const counts: Record<Severity, number> = { error: 0, warning: 0, info: 0 };
  for (const d of diagnostics) counts[d.severity]++;
  return counts;
}

/** « 1 error, 3 warnings, 12 info » (the info only when there is some): the summary every face prints. */
export function severitySummary(diagnostics: readonly Diagnostic[]): string {
  const counts = countBySeverity(diagnostics);
  const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;
  const info = counts.info ? `, ${counts.info} info` : '';
  return `${plural(counts.error, 'error')}, ${plural(counts.warning, 'warning')}${info}`;
}

/** Sorts diagnostics by file, line, column, so that output reads top to bottom. */
export function sortDiagnostics(diagnostics: readonly Diagnostic[]): Diagnostic[] {
  return [...diagnostics].sort(
    (a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column || a.rule.localeCompare(b.rule),
  );
}
