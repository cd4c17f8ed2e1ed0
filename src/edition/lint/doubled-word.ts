// « le le », « the the »: a word typed twice, often across a line break,
// where the eye skips it. A few words are rightly doubled.
import type { LintRule } from './rule.ts';
import { eachMatch } from './rule.ts';
import { LANGUAGES } from '../publication.ts';
import type { Language } from '../publication.ts';

/** Words that are doubled on purpose (« nous nous sommes vus », « he had had enough »). */
const RIGHTLY_DOUBLED: Record<Language, ReadonlySet<string>> = {
  fr: new Set(['nous', 'vous']),
  en: new Set(['had', 'that']),
};

const DOUBLED = String.raw`(?<![\p{L}\p{M}\d'’-])([\p{L}\p{M}]+)(\s+)(\1)(?![\p{L}\p{M}\d'’-])`;

/** Reports a word typed twice in a row, at the second one. */
export const doubledWord: LintRule = {
  id: 'doubled-word',
  check(ctx) {
    eachMatch(ctx.texts, new RegExp(DOUBLED, 'giu'), (m, offsetOf) => {
      const word = m[1]!;
      // Language unknown: the words rightly doubled in any language are spared.
      const spared = ctx.language ? [ctx.language] : LANGUAGES;
      if (spared.some((l) => RIGHTLY_DOUBLED[l].has(word.toLocaleLowerCase()))) return;
      const second = m.index + word.length + m[2]!.length;
      ctx.report('doubled-word', offsetOf(second), `« ${word} » twice in a row`);
    });
  },
};
