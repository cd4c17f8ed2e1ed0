// The archive of a publication: its published editions, its feeds, and the
// subscribe form (posting to the audience's route).
import type { RoutePlugin } from '../app.ts';
import { html } from '../html.ts';
import { page } from '../pages/layout.ts';
import { siteStrings } from '../pages/public-strings.ts';
import { storeDesk } from '../store-desk.ts';
import { publishedEditions } from '../public-site.ts';
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
  app.get<{ Params: { slug: string } }>('/:slug', async (request, reply) => {
    const publication = await desk.publicationBySlug(request.params.slug);
    if (!publication) return publicNotFound(request, reply, desk);
    const language = publication.language as Language;
    const s = siteStrings(language);
    const editions = await publishedEditions(desk, rule, publication);
    const base = `/${publication.slug}`;
    const list = editions.map(
      ({ row, edition }) =>
        html`<li><a href="${base}/${row.date}"><time datetime="${row.date}">${writtenDate(row.date, language, { year: true })}</time> — ${summaryOf(edition, language).subject}</a></li>`,
    );
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
<section aria-labelledby="editions-title">
<h2 id="editions-title">${s.editions}</h2>
${list.length ? html`<ul class="editions">${list}</ul>` : html`<p>${s.noEditionYet}</p>`}
</section>
<footer><p><a href="${base}/feed.xml">RSS</a> · <a href="${base}/atom.xml">Atom</a> · <a href="${base}/feed.json">JSON Feed</a></p></footer>
</main>`;
    const head = html`<link rel="alternate" type="application/rss+xml" title="${publication.name}" href="${base}/feed.xml">
<link rel="alternate" type="application/atom+xml" title="${publication.name}" href="${base}/atom.xml">
<link rel="alternate" type="application/feed+json" title="${publication.name}" href="${base}/feed.json">`;
    return reply.type('text/html; charset=utf-8').send(page({ title: publication.name, lang: language, body, head }));
  });
};
