// Feeds of a publication's published editions: RSS 2.0, Atom 1.0, JSON Feed 1,
// written by the `feed` package (which escapes what it writes), each item with
// the edition's whole text. Used by the app's routes and by the static copy.
import { Feed } from 'feed';
import { cachedRendering, summaryOf } from './edition-view.ts';
import { renderWebContent } from '../render/web.ts';
import { editionUrl, publicationUrl } from '../render/urls.ts';
import { escapeHtml } from '../render/html-escape.ts';
import type { Language } from '../edition/publication.ts';
import type { DeskPublication } from './desk.ts';
import type { PublishedEdition } from './public-site.ts';

// Item descriptions are HTML in all three formats (RSS description, Atom
// summary type="html", JSON content_html) and titles are HTML in Atom only:
// author text is escaped exactly where the format reads it as markup.
export const FEED_FORMATS = {
  'feed.xml': { type: 'application/rss+xml; charset=utf-8', htmlTitle: false, write: (f: Feed) => f.rss2() },
  'atom.xml': { type: 'application/atom+xml; charset=utf-8', htmlTitle: true, write: (f: Feed) => f.atom1() },
  'feed.json': { type: 'application/feed+json; charset=utf-8', htmlTitle: false, write: (f: Feed) => f.json1() },
} as const;

export type FeedFile = keyof typeof FEED_FORMATS;

/** Editions a feed holds at most, newest first. */
export const FEED_LENGTH = 30;

/** One feed of a publication, its links on `publicUrl`; `now` dates a feed without editions. */
export function feedDocument(file: FeedFile, publication: DeskPublication, editions: readonly PublishedEdition[], publicUrl: string, now: number): string {
  const format = FEED_FORMATS[file];
  const language = publication.language as Language;
  const home = publicationUrl(publicUrl, publication.slug);
  const feed = new Feed({
    id: home,
    title: publication.name,
    link: home,
    language,
    updated: new Date(editions[0]?.row.updatedAt ?? now),
    generator: 'Matinale',
    copyright: publication.name,
    feedLinks: { rss: `${home}/feed.xml`, atom: `${home}/atom.xml`, json: `${home}/feed.json` },
  });
  for (const { row, edition } of editions) {
    const url = editionUrl(publicUrl, publication.slug, row.date);
    const { subject, preheader } = summaryOf(edition, language);
    feed.addItem({
      id: url,
      link: url,
      title: format.htmlTitle ? escapeHtml(subject) : subject,
      description: preheader ? escapeHtml(preheader) : undefined,
      // The whole edition, so that a feed reader shows it in full (escaped by render/, as on the web page).
      content: cachedRendering({ editionId: row.id, version: row.currentVersion, publication: publication.settings, publicUrl, format: 'feed' }, () =>
        renderWebContent(edition, publication.settings, { publicUrl }),
      ),
      date: new Date(row.updatedAt),
      published: new Date(`${row.date}T00:00:00Z`),
      author: edition.by.map((name) => ({ name })),
    });
  }
  return format.write(feed);
}
