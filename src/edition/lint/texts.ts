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
  /**
   * The text that comes before this piece in the same block (paragraph, list
   * item, kicker, teaser, label): empty for the first piece of a block. Tells a
   * word at the start of a sentence from one inside it, across emphasis and links.
   */
  before: string;
}

/** Every text of the edition, in reading order. */
export function textsOf(edition: PartialEdition, source: string): TextPiece[] {
  const out: TextPiece[] = [];
  // The text of the current block so far; each block starts it afresh.
  let block = '';
  const inlines = (nodes: readonly Inline[], place: TextPlace): void => {
    for (const node of nodes) {
      if (node.type === 'text') {
        if (node.value) out.push({ value: node.value, offsets: offsetsOf(source, node.value, node.position), place, before: block });
        block += node.value;
      } else if (node.type === 'emphasis' || node.type === 'strong' || node.type === 'link') {
        inlines(node.children, place);
      } else {
        // Anything else (a line break, code) keeps words on either side apart.
        block += ' ';
      }
    }
  };
  const startBlock = (): void => {
    block = '';
  };
  const blocks = (list: readonly Block[]): void => {
    for (const block of list) {
      if (block.type === 'paragraph') {
        startBlock();
        inlines(block.leadIn ?? [], 'body');
        inlines(block.children, 'body');
      } else {
        for (const item of block.items) {
          startBlock();
          inlines(item.lead ?? [], 'body');
          inlines(item.children, 'body');
        }
      }
    }
  };
  const story = (st: Story): void => {
    startBlock();
    inlines(st.kicker, 'kicker');
    startBlock();
    inlines(st.teaser ?? [], 'teaser');
    blocks(st.blocks);
  };
  blocks(edition.intro);
  for (const section of edition.sections) {
    const label = labelPiece(section, source);
    if (label) out.push(label);
    blocks(section.blocks);
    section.stories.forEach(story);
  }
  return out;
}

// A label is kept as a string: find it on the heading's line (`# Label`).
function labelPiece(section: Section, source: string): TextPiece | undefined {
  const start = section.position.start.offset;
  const lineEnd = source.indexOf('\n', start);
  const line = source.slice(start, lineEnd === -1 ? source.length : lineEnd);
  const at = line.indexOf(section.label);
  if (!section.label || at === -1) return undefined;
  const offsets = Array.from({ length: section.label.length }, (_v, i) => start + at + i);
  return { value: section.label, offsets, place: 'label', before: '' };
}
