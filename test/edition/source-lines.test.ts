// Places of offsets in a source: the same columns as characterColumn (code
// points, not UTF-16 units) on every kind of line end, and no walk along a
// long line per place (thousands of diagnostics on one line made lint quadratic).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { SourceLines, characterColumn } from '../../src/edition/source-lines.ts';

test('pointAt gives the line and the character column of characterColumn, for every offset', () => {
  const piece = fc.constantFrom('a', 'é', '😀', '\n', '\r\n', '\r', ' ', '\ud83d', '\ude00');
  fc.assert(
    fc.property(fc.array(piece, { maxLength: 40 }), (pieces) => {
      const text = pieces.join('');
      const lines = new SourceLines(text);
      // Lines start after LF, CRLF or a lone CR.
      const starts = [0];
      for (let i = 0; i < text.length; i++) if (text[i] === '\n' || (text[i] === '\r' && text[i + 1] !== '\n')) starts.push(i + 1);
      for (let offset = 0; offset <= text.length; offset++) {
        const index = starts.findLastIndex((start) => start <= offset);
        const expected = { line: index + 1, column: characterColumn(lines.line(index + 1), offset - starts[index]! + 1) };
        assert.deepEqual(lines.pointAt(offset), expected, JSON.stringify({ text, offset }));
      }
    }),
  );
});

test('the place of each word of one long line costs no walk along the line', () => {
  const lineOf = (words: number) => new SourceLines(Array.from({ length: words }, () => 'mot😀').join(' '));
  const placesOn = (lines: SourceLines) => {
    const started = performance.now();
    for (let offset = 0; offset < lines.text.length; offset += 7) lines.pointAt(offset);
    return performance.now() - started;
  };
  const short = lineOf(2_000);
  const long = lineOf(20_000);
  // The best of several interleaved runs, after a warm-up: the JIT and the machine's load weigh alike on both.
  let [bestShort, bestLong] = [Infinity, Infinity];
  for (let run = 0; run < 6; run++) {
    const [s, l] = [placesOn(short), placesOn(long)];
    if (run > 0) [bestShort, bestLong] = [Math.min(bestShort, s), Math.min(bestLong, l)];
  }
  // Ten times the words: ten times the places; a walk along the line made it about a hundred times the time.
  const ratio = bestLong / Math.max(bestShort, 0.05);
  assert.ok(ratio < 40, `ten times the words took ${ratio.toFixed(1)} times as long`);
});
