// « l ‘innovation »: an opening single quote (or a backtick, an acute accent)
// typed where the apostrophe belongs; the typesetter would keep it as a quote.
import type { LintRule } from './rule.ts';
import { eachMatch } from './rule.ts';

const WRONG = String.raw`(?<![\p{L}\p{M}])((?:jusqu|lorsqu|puisqu|quoiqu|presqu|qu|[cdjlmnst]))[ \t\u00A0\u202F]*([‘\x60´])[ \t\u00A0\u202F]*(?=[\p{L}\p{M}])`;

/** Reports an opening quote typed as an apostrophe, at the elided word. */
export const frenchQuoteApostrophe: LintRule = {
  id: 'fr-quote-apostrophe',
  languages: ['fr'],
  check(ctx) {
    eachMatch(ctx.texts, new RegExp(WRONG, 'giu'), (m, offsetOf) => {
      ctx.report('fr-quote-apostrophe', offsetOf(m.index), `« ${m[2]} » used as an apostrophe after « ${m[1]} »: type ' (set as ’)`);
    });
  },
};
