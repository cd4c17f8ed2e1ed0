// What one parse of an edition carries (its file, its lines, the diagnostics so
// far) and the arithmetic of source places, shared by the parse modules.
import type { Nodes } from 'mdast';
import type { Diagnostic } from './diagnostic.ts';
import type { Point, Span } from './model.ts';
import { diagnostic } from './rules.ts';
import type { EditionRuleId } from './rules.ts';
import { SourceLines } from './source-lines.ts';

/** The state one parse carries: the file, its lines, the diagnostics so far. */
export class Context {
  /** Diagnostics at micromark's places (UTF-16 columns) until `finish` turns them into characters. */
  readonly diagnostics: Diagnostic[] = [];
  readonly lines: SourceLines;

  constructor(
    readonly file: string,
    readonly text: string,
  ) {
    this.lines = new SourceLines(text);
  }

  /** Records a problem of a registered rule at a place. */
  report(rule: EditionRuleId, at: { line: number; column: number } | undefined, message: string): void {
    this.diagnostics.push(diagnostic(rule, this.file, at, message));
  }

  /** Line `n` (1-based) of the source, without its end of line. */
  line(n: number): string {
    return this.lines.line(n);
  }

  /**
   * The diagnostics in reading order, columns in characters as an editor
   * shows them (micromark and yaml count UTF-16 code units).
   */
  finish(): Diagnostic[] {
    return sortByPlace(this.diagnostics.map((d) => ({ ...d, ...this.lines.place(d) })));
  }
}

export const NO_POINT: Point = { line: 1, column: 1, offset: 0 };

/** The model's span of an mdast node (1:1 when it has none). */
export function spanOf(node: { position?: { start: Point | { line: number; column: number; offset?: number }; end: { line: number; column: number; offset?: number } } }): Span {
  const p = node.position;
  if (!p) return { start: { ...NO_POINT }, end: { ...NO_POINT } };
  return {
    start: { line: p.start.line, column: p.start.column, offset: p.start.offset ?? 0 },
    end: { line: p.end.line, column: p.end.column, offset: p.end.offset ?? 0 },
  };
}

/** Where an mdast node starts, for a diagnostic. */
export function startOf(node: Nodes): { line: number; column: number } {
  return node.position?.start ?? NO_POINT;
}

/** The point reached after reading `text` from `point`. */
export function advance(point: Point, text: string): Point {
  let { line, column } = point;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '\n' || (c === '\r' && text[i + 1] !== '\n')) {
      line++;
      column = 1;
    } else if (c !== '\r') {
      column++;
    }
  }
  return { line, column, offset: point.offset + text.length };
}

/** Diagnostics in reading order (stable for equal places, unlike a sort by rule name). */
function sortByPlace(diagnostics: Diagnostic[]): Diagnostic[] {
  return diagnostics
    .map((d, i) => ({ d, i }))
    .sort((a, b) => a.d.line - b.d.line || a.d.column - b.d.column || a.i - b.i)
    .map(({ d }) => d);
}
