// Problems in content are diagnostics, not exceptions: the parser and the
// linter return all of them, each with its place, and the caller decides.

export type Severity = 'error' | 'warning';

/** One problem found in a source file, at a 1-based line and column. */
export interface Diagnostic {
  file: string;
  line: number;
  column: number;
  severity: Severity;
  /** Stable rule id, kebab-case (`front-matter-unknown-key`, `fr-elision`…). */
  rule: string;
  message: string;
}

/** `FILE:LINE:COL severity rule-id message`, the one format every command prints. */
export function formatDiagnostic(d: Diagnostic): string {
  return `${d.file}:${d.line}:${d.column} ${d.severity} ${d.rule} ${d.message}`;
}

/** True when any diagnostic is an error (an error stops a render or a send). */
export function hasErrors(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === 'error');
}

/** Sorts diagnostics by file, line, column, so that output reads top to bottom. */
export function sortDiagnostics(diagnostics: readonly Diagnostic[]): Diagnostic[] {
  return [...diagnostics].sort(
    (a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column || a.rule.localeCompare(b.rule),
  );
}
