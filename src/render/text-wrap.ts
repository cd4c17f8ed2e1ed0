// Line wrapping for the plain text: at most 78 characters a line (counted as
// characters a reader sees, not bytes or UTF-16 units), breaking only at
// ordinary spaces, so that no-break spaces set by typography hold and a URL
// is never cut (a word longer than the line gets a line of its own).
import { PLACEHOLDER_TOKENS } from './placeholders.ts';

export const TEXT_WIDTH = 78;

// Made on first use: ICU's segmenter takes tens of milliseconds to set up,
// which every process importing render/ (a worker's start) would pay.
let graphemes: Intl.Segmenter | undefined;

// Only combining marks, joiners and astral characters make a seen character
// longer than one UTF-16 unit; text without them is counted the fast way.
const NEEDS_SEGMENTING = /[\p{M}\u200d\u{10000}-\u{10ffff}]/u;

/** The number of characters a reader sees in `text`. */
export function displayLength(text: string): number {
  if (!NEEDS_SEGMENTING.test(text)) return text.length;
  let n = 0;
  graphemes ??= new Intl.Segmenter(undefined, { granularity: 'grapheme' });
  for (const _ of graphemes.segment(text)) n++;
  return n;
}

// A placeholder is filled later with a longer value (an address, a URL):
// count it at the length it will likely have so that filled lines still fit.
const PLACEHOLDER_WIDTH = 40;

function wordLength(word: string): number {
  let n = displayLength(word);
  for (const token of PLACEHOLDER_TOKENS) {
    if (word.includes(token)) n += PLACEHOLDER_WIDTH - token.length;
  }
  return n;
}

export interface WrapOptions {
  width?: number;
  /** Put before the first line (« - », « — »). */
  firstPrefix?: string;
  /** Put before every later line (a hanging indent). */
  restPrefix?: string;
}

/** Wraps one paragraph; `\n` in the text forces a line break. */
export function wrap(text: string, options: WrapOptions = {}): string[] {
  const width = options.width ?? TEXT_WIDTH;
  const lines: string[] = [];
  let prefix = options.firstPrefix ?? '';
  const rest = options.restPrefix ?? '';
  for (const hardLine of text.split('\n')) {
    let line = '';
    let length = 0;
    let prefixLength = displayLength(prefix);
    for (const word of hardLine.split(' ')) {
      if (!word) continue;
      const len = wordLength(word);
      if (line && prefixLength + length + 1 + len > width) {
        lines.push(prefix + line);
        prefix = rest;
        prefixLength = displayLength(prefix);
        line = '';
        length = 0;
      }
      line += (line ? ' ' : '') + word;
      length += (length ? 1 : 0) + len;
    }
    lines.push(prefix + line);
    prefix = rest;
  }
  return lines;
}
