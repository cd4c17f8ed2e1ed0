// The archive of a publication: its published editions (or those that hold
// the words searched for, `?q=`), its feeds, and the subscribe form (posting
// to the audience's route); `/{slug}/subscribe`, the form on a page of its own
// for the static copy of the archive. The page carries a CSRF token of the
// reader's own, so it is built per request; its list of editions is kept
// (page-cache.ts), keyed by the public editions' ids and versions and guarded
// by the publication's settings.
import type { RoutePlugin } from '../app.ts';
import { html, type SafeHtml } from '../html.ts';
import { siteStrings } from '../pages/public-strings.ts';
import { deskPublication, storeDesk } from '../store-desk.ts';
import { searchArchive } from '../archive-search.ts';
import { publicRule } from '../../edition/published.ts';
import { publicNotFound } from '../edge.ts';
import { csrfToken } from '../auth/guard.ts';
import { ARCHIVE_LENGTH, archiveItem, archivePage, editionsSection, subscribePage } from '../pages/archive-page.ts';
import { publicArchive } from '../public-site.ts';
import { archiveStamp } from '../../store/archive-stamps.ts';
import { readPerTurn } from '../read-per-turn.ts';

/** GET /:slug, GET /:slug/subscribe */
export const routes: RoutePlugin = (app, deps) => {
  const desk = storeDesk(deps.store, deps.clock);
  const rule = publicRule(deps.config, deps.clock);
  const lists = new Map<string, { guard: string; part: SafeHtml }>();
  // Requests for the same archive in one turn share one read of its stamps.
  const stampOf = readPerTurn((slug: string) => archiveStamp(deps.store, slug, rule.statuses));
  app.get<{ Params: { slug: string }; Querystring: { q?: string } }>('/:slug', async (request, reply) => {
    const stamp = await stampOf(request.params.slug);
    if (!stamp) return publicNotFound(request, reply, desk);
    const publication = deskPublication(stamp.publication.publicationId, stamp.publication.settings);
    const s = siteStrings(publication.language);
    const base = `/${publication.slug}`;
    const query = typeof request.query.q === 'string' ? request.query.q.trim().slice(0, 200) : '';
    let editionsPart: SafeHtml;
    if (query) {
      const hits = await searchArchive(deps.store, desk, rule, publication, query);
      const quoted = (text: string) => text.replace('{q}', query);
      editionsPart = html`<section aria-labelledby="editions-title">
<h2 id="editions-title">${quoted(s.searchResults)}</h2>
${hits.length ? html`<ul class="editions">${hits.map((h) => archiveItem(publication, h.published, h.snippet))}</ul>` : html`<p>${quoted(s.searchNone)}</p>`}
<p><a href="${base}">${s.searchAll}</a></p>
</section>`;
    } else {
      const shown = stamp.editions.filter((e) => rule.isPublic(e, { settings: { timezone: stamp.publication.timezone } })).slice(0, ARCHIVE_LENGTH);
      // The list changes with any public edition's version or with the set of public editions (an embargo lifting).
      const key = shown.map((e) => `${e.editionId}.${e.currentVersion}`).join(',');
      const kept = lists.get(publication.slug);
      if (kept && kept.guard === `${key}|${stamp.publication.settings}`) {
        editionsPart = kept.part;
      } else {
        editionsPart = editionsSection(publication, await publicArchive(desk, publication, shown.map((e) => ({ ...e, id: e.editionId }))));
        // One list per publication: bounded by the number of publications.
        lists.set(publication.slug, { guard: `${key}|${stamp.publication.settings}`, part: editionsPart });
      }
    }
    return reply.type('text/html; charset=utf-8').send(archivePage(publication, editionsPart, query, { csrfToken: csrfToken(request, reply, deps.config) }));
  });

  app.get<{ Params: { slug: string } }>('/:slug/subscribe', async (request, reply) => {
    const publication = await desk.publicationBySlug(request.params.slug);
    if (!publication) return publicNotFound(request, reply, desk);
    return reply.type('text/html; charset=utf-8').send(subscribePage(publication, csrfToken(request, reply, deps.config)));
  });
};
