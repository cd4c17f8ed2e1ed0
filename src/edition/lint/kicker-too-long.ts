// A kicker runs into the first paragraph in capitals: past ten words it
// reads as a headline shouting, and the story starts too late.
import type { LintRule } from './rule.ts';
import { plainText } from '../inline-text.ts';

/** The most words a kicker holds. */
export const MAX_KICKER_WORDS = 10;

/** The words of a kicker as a reader counts them (« d’abord » is one, « — » is none). */
export function countWords(text: string): number {
  return text.split(/\s+/).filter((w) => /[\p{L}\p{N}]/u.test(w)).length;
}

/** Reports a kicker of more than ten words, at its first word. */
export const kickerTooLong: LintRule = {
  id: 'kicker-too-long',
  check(ctx) {
    for (const section of ctx.edition.sections) {
      for (const story of section.stories) {
        const words = countWords(plainText(story.kicker));
        if (words <= MAX_KICKER_WORDS) continue;
        const at = story.kicker[0]?.position.start.offset ?? story.position.start.offset;
        ctx.report('kicker-too-long', at, `the kicker has ${words} words: keep it to ${MAX_KICKER_WORDS}`);
      }
    }
  },
};
