// Plain words of inline content, and the edition's subject and preheader.
// Stand-in until src/edition/inline-text.ts lands; then this file re-exports it.
import type { Edition, Inline } from '../edition/model.ts';

/** The words of inline content, without markup (an image counts as its alt text). */
export function plainText(inlines: readonly Inline[]): string {
  let out = '';
  for (const node of inlines) {
    if (node.type === 'text') out += node.value;
    else if (node.type === 'break') out += ' ';
    else if (node.type === 'image') out += node.alt;
    else out += plainText(node.children);
  }
  return out;
}

/** The email subject: the author's, else the first menu teaser. */
export function subjectOf(edition: Edition): string {
  if (edition.subject) return edition.subject;
  const first = edition.menu[0];
  return first ? plainText(first.teaser).trim() : '';
}

/** The inbox preview text: the author's, else the menu teasers joined. */
export function preheaderOf(edition: Edition): string {
  if (edition.preheader) return edition.preheader;
  return edition.menu.map((m) => plainText(m.teaser).trim()).join(' ');
}
