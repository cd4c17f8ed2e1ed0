// A menu is read at a glance in the inbox preview: past five teasers it is a
// table of contents. Reported once, at the sixth teaser.
import type { LintRule } from './rule.ts';

/** The most teasers a menu holds. */
export const MAX_MENU_TEASERS = 5;

/** Reports a menu of more than five teasers, at the sixth. */
export const menuTooLong: LintRule = {
  id: 'menu-too-long',
  check(ctx) {
    const { menu } = ctx.edition;
    if (menu.length <= MAX_MENU_TEASERS) return;
    const sixth = menu[MAX_MENU_TEASERS]!;
    const at = sixth.teaser[0]?.position.start.offset ?? 0;
    ctx.report('menu-too-long', at, `the menu has ${menu.length} teasers: keep it to ${MAX_MENU_TEASERS} (remove the teaser of the less important stories)`);
  },
};
