// The archive page of a publication (`/{slug}`), for the app and for the
// static copy `matinale site build` writes. They differ only in what needs the
// server: on the app the subscribe form carries its CSRF token and posts here;
// in a static copy (no cookie, no token) the subscribe section links to the
// app's subscribe page, and the search form and tip link go to the app.
import { html, type SafeHtml } from '../html.ts';
import { page } from './layout.ts';
import { siteStrings } from './public-strings.ts';
import { tipStrings } from './tip-strings.ts';
import { CSRF_FIELD } from '../auth/guard.ts';
import { summaryOf } from '../edition-view.ts';
import { writtenDate } from '../../render/written-date.ts';
import { stringsFor } from '../../render/strings.ts';
import { typeset } from '../../render/typeset.ts';
import type { Language } from '../../edition/publication.ts';
import type { DeskPublication } from '../desk.ts';
import type { PublishedEdition } from '../public-site.ts';

/** What needs the server, on the app (`csrfToken`) or in a static copy (`appUrl`: where the app answers, no trailing slash). */
export type ArchiveForms = { csrfToken: string } | { appUrl: string };

/** Editions the archive page lists at most, newest first. */
export const ARCHIVE_LENGTH = 100;

/** One edition in the archive's list, with the words found around a match in a search. */
export function archiveItem(publication: DeskPublication, { row, edition }: PublishedEdition, snippet?: SafeHtml): SafeHtml {
  const language = publication.language as Language;
  return html`<li><a href="/${publication.slug}/${row.date}"><time datetime="${row.date}">${writtenDate(row.date, language, { year: true })}</time> — ${summaryOf(edition, language).subject}</a>${snippet ? html`<br><span class="snippet">${snippet}</span>` : null}</li>`;
}

/** The list of published editions, newest first. */
export function editionsSection(publication: DeskPublication, editions: readonly PublishedEdition[]): SafeHtml {
  const s = siteStrings(publication.language);
  return html`<section aria-labelledby="editions-title">
<h2 id="editions-title">${s.editions}</h2>
${editions.length ? html`<ul class="editions">${editions.map((e) => archiveItem(publication, e))}</ul>` : html`<p>${s.noEditionYet}</p>`}
</section>`;
}

/** The whole archive page around its editions' part (the list, or search results). */
export function archivePage(publication: DeskPublication, editionsPart: SafeHtml, query: string, forms: ArchiveForms): string {
  const language = publication.language as Language;
  const s = siteStrings(language);
  const base = `/${publication.slug}`;
  // Addresses of what only the app answers: on the app itself, root-relative.
  const app = 'appUrl' in forms ? `${forms.appUrl}${base}` : base;
  const intro = html`<p>${typeset(stringsFor(language).subscribe.replace('{name}', publication.name), language)}</p>`;
  const subscribe =
    'csrfToken' in forms
      ? html`${intro}
${subscribeForm(publication, forms.csrfToken)}`
      : html`${intro}
<p><a class="button" href="${app}/subscribe">${s.subscribeButton}</a></p>`;
  const body = html`<main class="narrow">
<header><h1>${publication.name}</h1></header>
<section aria-labelledby="subscribe-title" class="subscribe">
<h2 id="subscribe-title">${s.subscribeTitle}</h2>
${subscribe}
</section>
<form method="get" action="${app}" role="search" class="search">
<label for="q">${s.searchLabel}</label>
<span class="search-row"><input id="q" name="q" type="search" value="${query}" maxlength="200"> <button type="submit">${s.searchButton}</button></span>
</form>
${editionsPart}
<footer><p><a href="${app}/tips">${tipStrings(language).title(publication.name)}</a></p>
<p><a href="${base}/feed.xml">RSS</a> · <a href="${base}/atom.xml">Atom</a> · <a href="${base}/feed.json">JSON Feed</a></p></footer>
</main>`;
  const head = html`<link rel="alternate" type="application/rss+xml" title="${publication.name}" href="${base}/feed.xml">
<link rel="alternate" type="application/atom+xml" title="${publication.name}" href="${base}/atom.xml">
<link rel="alternate" type="application/feed+json" title="${publication.name}" href="${base}/feed.json">`;
  return page({ title: publication.name, lang: language, body, head });
}

/** The subscribe form, posting to the audience's route with its CSRF token. */
function subscribeForm(publication: DeskPublication, csrfToken: string): SafeHtml {
  const s = siteStrings(publication.language);
  return html`<form method="post" action="/${publication.slug}/subscribe">
<input type="hidden" name="${CSRF_FIELD}" value="${csrfToken}">
<p><label for="email">${s.emailLabel}</label><br><input id="email" name="email" type="email" required autocomplete="email"></p>
<p><label for="name">${s.nameLabel}</label><br><input id="name" name="name" type="text" autocomplete="given-name"></p>
<p><button type="submit">${s.subscribeButton}</button></p>
</form>`;
}

/** The subscribe form on a page of its own (`GET /{slug}/subscribe`): where a static copy of the archive sends its readers. */
export function subscribePage(publication: DeskPublication, csrfToken: string): string {
  const language = publication.language as Language;
  const s = siteStrings(language);
  const base = `/${publication.slug}`;
  const body = html`<main class="narrow">
<header><h1>${publication.name}</h1></header>
<section aria-labelledby="subscribe-title" class="subscribe">
<h2 id="subscribe-title">${s.subscribeTitle}</h2>
<p>${typeset(stringsFor(language).subscribe.replace('{name}', publication.name), language)}</p>
${subscribeForm(publication, csrfToken)}
</section>
<p><a href="${base}">${s.backToArchive} — ${publication.name}</a></p>
</main>`;
  return page({ title: `${s.subscribeTitle} — ${publication.name}`, lang: language, body });
}
