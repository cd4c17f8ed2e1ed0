// Edition text shown by the dashboard (a subject in a list) is set as the
// edition sets it: the render's typography for the publication's language
// (’, « » with their no-break spaces), marked with that language for screen
// readers and hyphenation, while the dashboard around it stays in English.
import { html, type SafeHtml } from '../html.ts';
import { typeset } from '../../render/typeset.ts';
import type { Language } from '../../edition/publication.ts';

/** A subject (or any line of edition text) typeset for its publication's language. */
export function editionText(text: string | null | undefined, language: string): SafeHtml | null {
  if (!text) return null;
  return html`<span lang="${language}">${typeset(text, language as Language)}</span>`;
}
