// Feeds of a publication's published editions: RSS 2.0, Atom 1.0, JSON Feed 1,
// written by the `feed` package (which escapes what it writes), each item with
// the edition's whole text.
import { Feed } from 'feed';
import type { RoutePlugin } from '../app.ts';
import { storeDesk } from '../store-desk.ts';
import { publishedEditions } from '../public-site.ts';
import { publicRule } from '../../edition/published.ts';
import { cachedRendering, summaryOf } from '../edition-view.ts';
import { renderWebContent } from '../../render/web.ts';
import { publicNotFound } from '../edge.ts';
import { editionUrl, publicationUrl } from '../../render/urls.ts';
import { escapeHtml } from '../../render/html-escape.ts';
import type { Language } from '../../edition/publication.ts';

// Item descriptions are HTML in all three formats (RSS description, Atom
// summary type="html", JSON content_html) and titles are HTML in Atom only:
// author text is escaped exactly where the format reads it as markup.
const FORMATS = {
  'feed.xml': { type: 'application/rss+xml; charset=utf-8', htmlTitle: false, write: (f: Feed) => f.rss2() },
  'atom.xml': { type: 'application/atom+xml; charset=utf-8', htmlTitle: true, write: (f: Feed) => f.atom1() },
  'feed.json': { type: 'application/feed+json; charset=utf-8', htmlTitle: false, write: (f: Feed) => f.json1() },
} as const;

/** GET /:slug/feed.xml, /:slug/atom.xml, /:slug/feed.json */
export const routes: RoutePlugin = (app, deps) => {
  const desk = storeDesk(deps.store, deps.clock);
  const rule = publicRule(deps.config, deps.clock);
  for (const [file, format] of Object.entries(FORMATS)) {
    app.get<{ Params: { slug: string } }>(`/:slug/${file}`, async (request, reply) => {
      const publication = await desk.publicationBySlug(request.params.slug);
      if (!publication) return publicNotFound(request, reply, desk);
      const publicUrl = deps.config.publicUrl;
      const language = publication.language as Language;
      const home = publicationUrl(publicUrl, publication.slug);
      const editions = await publishedEditions(desk, rule, publication, 30);
      const feed = new Feed({
        id: home,
        title: publication.name,
        link: home,
        language,
        updated: new Date(editions[0]?.row.updatedAt ?? deps.clock.now()),
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
      return reply.type(format.type).send(format.write(feed));
    });
  }
};
