// The first version of a new edition: front matter and one story whose texts
// say what to write there. Those texts are placeholders, and lint refuses an
// edition that still holds one (lint/template-text-left.ts), so that a new
// edition cannot be approved unchanged.
import type { Language } from './publication.ts';

/** The texts of the template a writer replaces, per language: kicker, teaser, first paragraph. */
export const TEMPLATE_TEXTS: Readonly<Record<Language, { label: string; kicker: string; teaser: string; paragraph: string }>> = {
  fr: { label: 'Le fait du jour', kicker: 'Le titre ici.', teaser: 'Le teaser du menu.', paragraph: "Le premier paragraphe de l'histoire." },
  en: { label: 'The big story', kicker: 'The kicker here.', teaser: 'The teaser in the menu.', paragraph: 'The first paragraph of the story.' },
};

/** The source of a new edition of a publication for a date, signed by `author`. */
export function editionTemplate(publication: { slug: string; language: Language }, date: string, author: string): string {
  const t = TEMPLATE_TEXTS[publication.language];
  return ['---', `publication: ${publication.slug}`, `date: ${date}`, `by: ${author}`, '---', '', `# ${t.label}`, '', `## ${t.kicker}`, `> menu: ${t.teaser}`, '', t.paragraph, ''].join(
    '\n',
  );
}
