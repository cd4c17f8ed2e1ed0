// The words of an edition for the archive's search: every kicker, teaser,
// label and paragraph as plain text, without markup or the platform's
// furniture (greeting, footer), one paragraph a line.
import type { Block, Edition } from './model.ts';
import { plainText } from './inline-text.ts';

function blockLines(blocks: readonly Block[]): string[] {
  return blocks.flatMap((b) =>
    b.type === 'paragraph'
      ? [plainText([...(b.leadIn ?? []), ...b.children])]
      : b.items.map((item) => plainText([...(item.lead ?? []), ...item.children])),
  );
}

/** The edition's text as search reads it. */
export function searchText(edition: Edition): string {
  const lines = [
    ...blockLines(edition.intro),
    ...edition.sections.flatMap((s) => [
      s.label,
      ...blockLines(s.blocks),
      ...s.stories.flatMap((story) => [plainText(story.kicker), ...(story.teaser ? [plainText(story.teaser)] : []), ...blockLines(story.blocks)]),
    ]),
  ];
  return lines.filter(Boolean).join('\n');
}
