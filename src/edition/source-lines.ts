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
  // Offsets of the second halves of surrogate pairs, ascending: a column is its
  // UTF-16 column less the ones before it on its line, found by binary search,
  // so that the place of each of thousands of diagnostics on one long line
  // costs no walk along the line (that walk made lint quadratic).
  private readonly pairEnds: number[] = [];

  constructor(readonly text: string) {
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === 10 || (c === 13 && text.charCodeAt(i + 1) !== 10)) this.starts.push(i + 1);
      else if (c >= 0xdc00 && c <= 0xdfff && i > 0) {
        const prev = text.charCodeAt(i - 1);
        if (prev >= 0xd800 && prev <= 0xdbff) this.pairEnds.push(i);
      }
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
    const start = this.starts[lo]!;
    const unitColumn = offset - start + 1;
    // The same count as characterColumn: pairs wholly on the line, before the offset.
    const lineEnd = start + this.lineLength(lo);
    const pairs = this.pairEndsBefore(Math.min(offset, lineEnd)) - this.pairEndsBefore(start + 1);
    return { line: lo + 1, column: unitColumn - pairs };
  }

  // Units of line index `i` (0-based) without its end of line.
  private lineLength(i: number): number {
    const start = this.starts[i]!;
    const next = this.starts[i + 1];
    let end = next === undefined ? this.text.length : next;
    if (end > start && this.text.charCodeAt(end - 1) === 10) end--;
    if (end > start && this.text.charCodeAt(end - 1) === 13) end--;
    return end - start;
  }

  // How many pair ends lie at offsets below `offset`.
  private pairEndsBefore(offset: number): number {
    let lo = 0;
    let hi = this.pairEnds.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.pairEnds[mid]! < offset) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** The place a diagnostic shows for a line and a UTF-16 column (micromark's, yaml's). */
  place(at: { line: number; column: number }): { line: number; column: number } {
    return { line: at.line, column: characterColumn(this.line(at.line), at.column) };
  }
}
