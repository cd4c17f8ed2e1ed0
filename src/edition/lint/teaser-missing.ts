// The first section holds the stories the menu is for: each of them needs a
// teaser, or the reader never sees it announced at the top of the edition.
import type { LintRule } from './rule.ts';
import { plainText } from '../inline-text.ts';

/** Reports a story of the first section without a teaser, at its kicker. */
export const teaserMissing: LintRule = {
  id: 'teaser-missing',
  check(ctx) {
    const first = ctx.edition.sections[0];
    for (const story of first?.stories ?? []) {
      if (story.teaser && story.teaser.length > 0) continue;
      const at = story.kicker[0]?.position.start.offset ?? story.position.start.offset;
      ctx.report('teaser-missing', at, `story « ${plainText(story.kicker)} » opens the edition but has no teaser: add \`> menu: …\` under its kicker`);
    }
  },
};
