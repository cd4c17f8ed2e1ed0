// The archive of a publication: its published editions (or those that hold
// the words searched for, `?q=`), its feeds, and the subscribe form (posting
// to the audience's route).
import type { RoutePlugin } from '../app.ts';
import { html, type SafeHtml } from '../html.ts';
import { page } from '../pages/layout.ts';
import { siteStrings } from '../pages/public-strings.ts';
import { tipStrings } from '../pages/tip-strings.ts';
import { storeDesk } from '../store-desk.ts';
import { publishedEditions, type PublishedEdition } from '../public-site.ts';
import { searchArchive } from '../archive-search.ts';
import { publicRule } from '../../edition/published.ts';
import { summaryOf } from '../edition-view.ts';
import { publicNotFound } from '../edge.ts';
import { csrfToken, CSRF_FIELD } from '../auth/guard.ts';
import { writtenDate } from '../../render/written-date.ts';
import { stringsFor } from '../../render/strings.ts';
import { typeset } from '../../render/typeset.ts';
import type { Language } from '../../edition/publication.ts';

/** GET /:slug */
export const routes: RoutePlugin = (app, deps) => {
  const desk = storeDesk(deps.store, deps.clock);
  const rule = publicRule(deps.config, deps.clock);
  app.get<{ Params: { slug: string }; Querystring: { q?: string } }>('/:slug', async (request, reply) => {
    const publication = await desk.publicationBySlug(request.params.slug);
    if (!publication) return publicNotFound(request, reply, desk);
    const language = publication.language as Language;
    const s = siteStrings(language);
    const base = `/${publication.slug}`;
    const query = typeof request.query.q === 'string' ? request.query.q.trim().slice(0, 200) : '';
    const item = ({ row, edition }: PublishedEdition, snippet?: SafeHtml) =>
      html`<li><a href="${base}/${row.date}"><time datetime="${row.date}">${writtenDate(row.date, language, { year: true })}</time> — ${summaryOf(edition, language).subject}</a>${snippet ? html`<br><span class="snippet">${snippet}</span>` : null}</li>`;
    let editionsPart: SafeHtml;
    if (query) {
      const hits = await searchArchive(deps.store, desk, rule, publication, query);
      const quoted = (text: string) => text.replace('{q}', query);
      editionsPart = html`<section aria-labelledby="editions-title">
<h2 id="editions-title">${quoted(s.searchResults)}</h2>
${hits.length ? html`<ul class="editions">${hits.map((h) => item(h.published, h.snippet))}</ul>` : html`<p>${quoted(s.searchNone)}</p>`}
<p><a href="${base}">${s.searchAll}</a></p>
</section>`;
    } else {
      const editions = await publishedEditions(desk, rule, publication);
      editionsPart = html`<section aria-labelledby="editions-title">
<h2 id="editions-title">${s.editions}</h2>
${editions.length ? html`<ul class="editions">${editions.map((e) => item(e))}</ul>` : html`<p>${s.noEditionYet}</p>`}
</section>`;
    }
    const search = html`<form method="get" action="${base}" role="search" class="search">
<label for="q">${s.searchLabel}</label>
<span class="search-row"><input id="q" name="q" type="search" value="${query}" maxlength="200"> <button type="submit">${s.searchButton}</button></span>
</form>`;
    const token = csrfToken(request, reply, deps.config);
    const body = html`<main class="narrow">
<header><h1>${publication.name}</h1></header>
<section aria-labelledby="subscribe-title" class="subscribe">
<h2 id="subscribe-title">${s.subscribeTitle}</h2>
<p>${typeset(stringsFor(language).subscribe.replace('{name}', publication.name), language)}</p>
<form method="post" action="${base}/subscribe">
<input type="hidden" name="${CSRF_FIELD}" value="${token}">
<p><label for="email">${s.emailLabel}</label><br><input id="email" name="email" type="email" required autocomplete="email"></p>
<p><label for="name">${s.nameLabel}</label><br><input id="name" name="name" type="text" autocomplete="given-name"></p>
<p><button type="submit">${s.subscribeButton}</button></p>
</form>
</section>
${search}
${editionsPart}
<footer><p><a href="${base}/tips">${tipStrings(language).title(publication.name)}</a></p>
<p><a href="${base}/feed.xml">RSS</a> · <a href="${base}/atom.xml">Atom</a> · <a href="${base}/feed.json">JSON Feed</a></p></footer>
</main>`;
    const head = html`<link rel="alternate" type="application/rss+xml" title="${publication.name}" href="${base}/feed.xml">
<link rel="alternate" type="application/atom+xml" title="${publication.name}" href="${base}/atom.xml">
<link rel="alternate" type="application/feed+json" title="${publication.name}" href="${base}/feed.json">`;
    return reply.type('text/html; charset=utf-8').send(page({ title: publication.name, lang: language, body, head }));
  });
};
