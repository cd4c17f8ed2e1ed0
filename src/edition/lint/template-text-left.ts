// A new edition starts from a template (../template.ts) whose kicker, teaser
// and paragraph say what to write there. One of them left in would go out to
// every reader: an error, so that the template cannot be approved unchanged.
import type { LintRule } from './rule.ts';
import { TEMPLATE_TEXTS } from '../template.ts';

// The texts without their final full stop: the parser may keep it or not, and
// the writer may have removed only that.
const PLACEHOLDERS = new Set(
  Object.values(TEMPLATE_TEXTS).flatMap((t) => [t.kicker, t.teaser, t.paragraph].map((text) => normalise(text))),
);

function normalise(text: string): string {
  return text.trim().replace(/[’‘]/g, "'").replace(/[.\s]+$/, '');
}

/** Reports every text of the edition that is still one of the template's placeholders, at its start. */
export const templateTextLeft: LintRule = {
  id: 'template-text-left',
  check(ctx) {
    for (const piece of ctx.texts) {
      if (piece.place === 'label' || !PLACEHOLDERS.has(normalise(piece.value))) continue;
      const at = piece.offsets[piece.value.search(/\S/)] ?? piece.offsets[0] ?? 0;
      ctx.report('template-text-left', at, `« ${piece.value.trim()} » is the new edition's placeholder text: write the ${piece.place} in its place`);
    }
  },
};
