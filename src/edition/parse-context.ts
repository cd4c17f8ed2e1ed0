// What one parse of an edition carries (its file, its lines, the diagnostics so
// far) and the arithmetic of source places, shared by the parse modules.
import type { Nodes } from 'mdast';
import type { Diagnostic } from './diagnostic.ts';
import type { Point, Span } from './model.ts';
import { diagnostic } from './rules.ts';
import type { EditionRuleId } from './rules.ts';

/** The state one parse carries: the file, its lines, the diagnostics so far. */
export class Context {
  readonly diagnostics: Diagnostic[] = [];
  private lines: string[] | undefined;

  constructor(
    readonly file: string,
    readonly text: string,
  ) {}

  /** Records a problem of a registered rule at a place. */
  report(rule: EditionRuleId, at: { line: number; column: number } | undefined, message: string): void {
    this.diagnostics.push(diagnostic(rule, this.file, at, message));
  }

  /** Line `n` (1-based) of the source, without its end of line. */
  line(n: number): string {
    this.lines ??= this.text.split(/\r\n|\r|\n/);
    return this.lines[n - 1] ?? '';
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
