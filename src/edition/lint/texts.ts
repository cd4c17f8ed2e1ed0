// The texts of an edition that lint rules read, each with the way back to the
// source: every text node (kickers, teasers, lead-ins, paragraphs, list
// items, link texts), and the section labels.
import type { Block, Inline, PartialEdition, Section, Story } from '../model.ts';
import { offsetsOf } from './source-map.ts';

/** Where in an edition a text stands, for rules that care (the kicker, the teaser…). */
export type TextPlace = 'label' | 'kicker' | 'teaser' | 'body';

/** One run of text as the author typed it, with the source offset of each character. */
export interface TextPiece {
  value: string;
  offsets: number[];
  place: TextPlace;
  /** Which block (paragraph, list item, kicker, teaser, label) it belongs to: pieces of one block share the number. */
  block?: number;
  /**
   * The text that comes before this piece in the same block: empty for the
   * first piece of a block. Tells a word at the start of a sentence from one
   * inside it, across emphasis and links.
   */
  before: string;
}

/** Every text of the edition, in reading order. */
export function textsOf(edition: PartialEdition, source: string): TextPiece[] {
  const out: TextPiece[] = [];
  // The number of the current block, and its text so far; each block starts it afresh.
  let block = 0;
  let before = '';
  const inlines = (nodes: readonly Inline[], place: TextPlace): void => {
    for (const node of nodes) {
      if (node.type === 'text') {
        if (node.value) out.push({ value: node.value, offsets: offsetsOf(source, node.value, node.position), place, block, before });
        before += node.value;
      } else if (node.type === 'emphasis' || node.type === 'strong' || node.type === 'link') {
        inlines(node.children, place);
      } else {
        // Anything else (a line break, code) keeps words on either side apart.
        before += ' ';
      }
    }
  };
  const next = (): void => {
    block++;
    before = '';
  };
  const blocks = (list: readonly Block[]): void => {
    for (const b of list) {
      if (b.type === 'paragraph') {
        inlines(b.leadIn ?? [], 'body');
        inlines(b.children, 'body');
        next();
      } else {
        for (const item of b.items) {
          inlines(item.lead ?? [], 'body');
          inlines(item.children, 'body');
          next();
        }
      }
    }
  };
  const story = (st: Story): void => {
    inlines(st.kicker, 'kicker');
    next();
    inlines(st.teaser ?? [], 'teaser');
    next();
    blocks(st.blocks);
  };
  blocks(edition.intro);
  for (const section of edition.sections) {
    const label = labelPiece(section, source, block);
    if (label) out.push(label);
    next();
    blocks(section.blocks);
    section.stories.forEach(story);
  }
  return out;
}

// A label is kept as a string: find it on the heading's line (`# Label`).
function labelPiece(section: Section, source: string, block: number): TextPiece | undefined {
  const start = section.position.start.offset;
  const lineEnd = source.indexOf('\n', start);
  const line = source.slice(start, lineEnd === -1 ? source.length : lineEnd);
  const at = line.indexOf(section.label);
  if (!section.label || at === -1) return undefined;
  const offsets = Array.from({ length: section.label.length }, (_v, i) => start + at + i);
  return { value: section.label, offsets, place: 'label', block, before: '' };
}
