// The site's home: every publication, with its latest published edition; for
// the app and for the static copy (where the newsroom's sign-in is the app's).
import { html } from '../html.ts';
import { page } from './layout.ts';
import { summaryOf } from '../edition-view.ts';
import { writtenDate } from '../../render/written-date.ts';
import type { Language } from '../../edition/publication.ts';
import type { DeskPublication } from '../desk.ts';
import type { PublishedEdition } from '../public-site.ts';

/** The home page; `newsroomHref` is where the team signs in. */
export function homePage(publications: ReadonlyArray<{ publication: DeskPublication; latest?: PublishedEdition }>, newsroomHref: string): string {
  const items = publications.map(({ publication: p, latest }) => {
    const language = p.language as Language;
    return html`<li>
<h2><a href="/${p.slug}" lang="${p.language}">${p.name}</a></h2>
${latest ? html`<p lang="${p.language}"><a href="/${p.slug}/${latest.row.date}">${writtenDate(latest.row.date, language, { year: true })} — ${summaryOf(latest.edition, language).subject}</a></p>` : null}
</li>`;
  });
  const body = html`<main class="narrow">
<h1>Matinale</h1>
<p>Daily briefings from the newsroom.</p>
${items.length ? html`<ul class="publications">${items}</ul>` : html`<p>No publication yet.</p>`}
<p class="muted"><a href="${newsroomHref}">Newsroom sign-in</a></p>
</main>`;
  return page({ title: 'Matinale', lang: 'en', body });
}
