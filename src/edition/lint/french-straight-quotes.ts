// Straight double quotes in French copy: the typesetter guesses from their
// place which way each one faces, and a quote that spans a link or a line
// break, or an odd one, comes out wrong. « » say it without guessing.
import type { LintRule } from './rule.ts';
import { eachMatch } from './rule.ts';

/** Reports each straight double quote of French copy. */
export const frenchStraightQuotes: LintRule = {
  id: 'fr-straight-quotes',
  languages: ['fr'],
  check(ctx) {
    eachMatch(ctx.texts, /"/g, (m, offsetOf) => {
      ctx.report('fr-straight-quotes', offsetOf(m.index), 'straight double quote: type « » guillemets');
    });
  },
};
