// The site's home: every publication, with its latest published edition.
import type { RoutePlugin } from '../app.ts';
import { html } from '../html.ts';
import { page } from '../pages/layout.ts';
import { storeDesk } from '../store-desk.ts';
import { publishedEditions } from '../public-site.ts';
import { publicRule } from '../../edition/published.ts';
import { summaryOf } from '../edition-view.ts';
import { writtenDate } from '../../render/written-date.ts';
import type { Language } from '../../edition/publication.ts';

/** GET / */
export const routes: RoutePlugin = (app, deps) => {
  const desk = storeDesk(deps.store, deps.clock);
  const rule = publicRule(deps.config, deps.clock);
  app.get('/', async (_request, reply) => {
    const publications = await desk.publications();
    const items = [];
    for (const p of publications) {
      const [latest] = await publishedEditions(desk, rule, p, 1);
      items.push(html`<li>
<h2><a href="/${p.slug}" lang="${p.language}">${p.name}</a></h2>
${latest ? html`<p lang="${p.language}"><a href="/${p.slug}/${latest.row.date}">${writtenDate(latest.row.date, p.language as Language, { year: true })} — ${summaryOf(latest.edition, p.language as Language).subject}</a></p>` : null}
</li>`);
    }
    const body = html`<main class="narrow">
<h1>Matinale</h1>
<p>Daily briefings from the newsroom.</p>
${items.length ? html`<ul class="publications">${items}</ul>` : html`<p>No publication yet.</p>`}
<p class="muted"><a href="/newsroom">Newsroom sign-in</a></p>
</main>`;
    return reply.type('text/html; charset=utf-8').send(page({ title: 'Matinale', lang: 'en', body }));
  });
};
