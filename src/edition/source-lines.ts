// Lines and columns of a source, as an editor shows them: the one place where
// a diagnostic's column is computed. JavaScript strings, micromark and yaml
// count UTF-16 code units, so an emoji counts twice there; a diagnostic's
// column counts characters (code points), the way an editor's cursor moves.
// The model's points keep micromark's UTF-16 columns and offsets: they are for
// slicing the source string, not for people.

/** The 1-based column, in characters, of the UTF-16 column `unitColumn` of `lineText`. */
export function characterColumn(lineText: string, unitColumn: number): number {
  let column = 1;
  const end = Math.min(unitColumn - 1, lineText.length);
  for (let i = 0; i < end; i++) {
    const c = lineText.charCodeAt(i);
    // The second half of a surrogate pair is part of the character before it.
    if (c >= 0xdc00 && c <= 0xdfff && i > 0) {
      const prev = lineText.charCodeAt(i - 1);
      if (prev >= 0xd800 && prev <= 0xdbff) continue;
    }
    column++;
  }
  // Past the end of the line (a point at its line break): one column per unit.
  return column + Math.max(0, unitColumn - 1 - lineText.length);
}

/** The lines of a source (LF, CRLF or CR), and the places of offsets in it. */
export class SourceLines {
  private readonly starts: number[] = [0];

  constructor(readonly text: string) {
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === 10 || (c === 13 && text.charCodeAt(i + 1) !== 10)) this.starts.push(i + 1);
    }
  }

  /** Line `n` (1-based), without its end of line; '' past the end. */
  line(n: number): string {
    const start = this.starts[n - 1];
    if (start === undefined) return '';
    const next = this.starts[n];
    return this.text.slice(start, next === undefined ? this.text.length : next).replace(/\r?\n$|\r$/, '');
  }

  /** The 1-based line and character column of a 0-based UTF-16 offset. */
  pointAt(offset: number): { line: number; column: number } {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: characterColumn(this.line(lo + 1), offset - this.starts[lo]! + 1) };
  }

  /** The place a diagnostic shows for a line and a UTF-16 column (micromark's, yaml's). */
  place(at: { line: number; column: number }): { line: number; column: number } {
    return { line: at.line, column: characterColumn(this.line(at.line), at.column) };
  }
}
