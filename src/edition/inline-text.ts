// Inline content as plain text, and the texts derived from a whole edition
// (email subject, inbox preheader) when the author did not set them.
import type { Block, Edition, Inline } from './model.ts';

/**
 * The words of inline content without markup: link texts kept, images as
 * their alt text, line breaks and runs of white space as one space, trimmed.
 */
export function plainText(inlines: readonly Inline[]): string {
  return rawText(inlines).replace(/\s+/g, ' ').trim();
}

function rawText(inlines: readonly Inline[]): string {
  let out = '';
  for (const node of inlines) {
    switch (node.type) {
      case 'text':
        out += node.value;
        break;
      case 'break':
        out += ' ';
        break;
      case 'image':
        out += node.alt;
        break;
      default:
        out += rawText(node.children);
    }
  }
  return out;
}

/**
 * The email subject: the front matter `subject`, else the first menu teaser,
 * else the first section label, else the publication slug and date (never empty).
 */
export function subjectOf(edition: Edition): string {
  const set = edition.subject?.replace(/\s+/g, ' ').trim();
  if (set) return set;
  const teaser = edition.menu[0] ? plainText(edition.menu[0].teaser) : '';
  if (teaser) return teaser;
  const label = edition.sections[0]?.label.replace(/\s+/g, ' ').trim();
  if (label) return label;
  return `${edition.publication} ${edition.date}`;
}

/** Separator between teasers in the default preheader, the dash the menu itself uses. */
export const PREHEADER_SEPARATOR = ' — ';

/**
 * The inbox preview text: the front matter `preheader`, else the menu teasers
 * joined by « — ». When the subject is itself the first teaser (the default),
 * that teaser is left out so that the inbox does not show it twice. With no
 * other teaser, the first paragraph of the edition (what an inbox would show
 * anyway); empty when there is none (renderers then leave the preheader out).
 */
export function preheaderOf(edition: Edition): string {
  const set = edition.preheader?.replace(/\s+/g, ' ').trim();
  if (set) return set;
  const teasers = edition.menu.map((item) => plainText(item.teaser)).filter((t) => t !== '');
  const subjectIsFirstTeaser = !edition.subject?.trim() && teasers.length > 0;
  const rest = subjectIsFirstTeaser ? teasers.slice(1) : teasers;
  if (rest.length > 0) return rest.join(PREHEADER_SEPARATOR);
  const blocks: Block[] = [...edition.intro, ...edition.sections.flatMap((s) => [...s.blocks, ...s.stories.flatMap((st) => st.blocks)])];
  for (const block of blocks) {
    const text = block.type === 'paragraph' ? [plainText(block.leadIn ?? []), plainText(block.children)].filter(Boolean).join(' ') : '';
    if (text) return text;
  }
  return '';
}
