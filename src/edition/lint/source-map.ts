// From a place in a text of the model back to its place in the source: a text
// node's value is not a slice of the source (soft line breaks drop the next
// line's indentation, escapes and character references are decoded), so each
// character of the value is matched to the source character it came from.
import type { Span } from '../model.ts';

/**
 * The source offset of every character of `value`, a text node read from
 * `span` of `source`. Characters are matched in order: the source may hold
 * more (indentation after a line break, a backslash, a character reference),
 * never less. A character that cannot be matched (text the parser built
 * itself) takes the place of the last matched one, so a report still lands
 * inside the node rather than nowhere.
 */
export function offsetsOf(source: string, value: string, span: Span): number[] {
  const offsets: number[] = new Array<number>(value.length);
  const end = Math.min(span.end.offset, source.length);
  let j = span.start.offset;
  let last = span.start.offset;
  for (let i = 0; i < value.length; i++) {
    const ch = value[i]!;
    let k = j;
    let found = -1;
    while (k < end) {
      const s = source[k]!;
      if (s === '&') {
        // A character reference (&amp; &#233;) stands for this character,
        // even when the character is itself « & ».
        const semi = source.indexOf(';', k);
        if (semi !== -1 && semi - k <= 32 && semi < end && /^&(?:#\d+|#x[\da-f]+|\w+);$/i.test(source.slice(k, semi + 1))) {
          found = k;
          k = semi;
          break;
        }
      }
      if (s === ch) {
        found = k;
        break;
      }
      // Skipped: indentation after a line break, a backslash escape, markup.
      if (!/[\s\\>*_]/.test(s)) break;
      k++;
    }
    if (found === -1) {
      offsets[i] = last;
      continue;
    }
    offsets[i] = found;
    last = found;
    j = (source[found] === '&' ? k : found) + 1;
  }
  return offsets;
}
