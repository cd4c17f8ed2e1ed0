// « l' Sommet »: a space after an elision apostrophe splits the elided word
// from the next one (and lets a line break fall between them).
import type { LintRule } from './rule.ts';
import { eachMatch } from './rule.ts';

const SPACED = String.raw`(?<![\p{L}\p{M}])((?:jusqu|lorsqu|puisqu|quoiqu|presqu|qu|[cdjlmnst])['’])[ \t\u00A0\u202F]+(?=[\p{L}\p{M}])`;

/** Reports a space after an elision apostrophe, at the elided word. */
export const frenchApostropheSpace: LintRule = {
  id: 'fr-apostrophe-space',
  languages: ['fr'],
  check(ctx) {
    eachMatch(ctx.texts, new RegExp(SPACED, 'giu'), (m, offsetOf) => {
      ctx.report('fr-apostrophe-space', offsetOf(m.index), `space after the apostrophe of « ${m[1]} »: write it joined to the next word`);
    });
  },
};
