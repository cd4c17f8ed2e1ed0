// Pages for refusals and failures: 404s in the publication's language on the
// public site, the rest in the dashboard's language (English).
import { html } from '../html.ts';
import { page } from './layout.ts';
import type { Diagnostic } from '../../edition/diagnostic.ts';
import { siteStrings } from './public-strings.ts';
import { newsroomPage } from './newsroom-layout.ts';
import type { Account } from '../auth/accounts.ts';

/** The public 404 page, in the publication's language when the path names one. */
export function notFoundPage(publication?: { slug: string; name: string; language: string }): string {
  const s = siteStrings(publication?.language ?? 'en');
  const back = publication
    ? html`<p><a href="/${publication.slug}">${s.backToArchive} — ${publication.name}</a></p>`
    : html`<p><a href="/">${s.home}</a></p>`;
  return page({
    title: publication ? `${s.notFoundTitle} — ${publication.name}` : s.notFoundTitle,
    lang: publication?.language ?? 'en',
    body: html`<main class="narrow"><h1>${s.notFoundTitle}</h1><p>${s.notFoundText}</p>${back}</main>`,
  });
}

/**
 * A refusal or failure page: status, message, the diagnostics behind it if
 * any, a way back. For a signed-in member (`newsroom`), inside the dashboard's
 * navigation, so that a refusal leaves them where they can go on.
 */
export function errorPage(
  status: number,
  message: string,
  diagnostics: readonly Diagnostic[] = [],
  newsroom?: { account: Account; csrf: string; back?: string },
): string {
  const list = diagnostics.length
    ? html`<ul class="diagnostics">${diagnostics.map((d) => html`<li class="${d.severity}"><span class="where">${d.line}:${d.column}</span> ${d.message} <code>${d.rule}</code></li>`)}</ul>`
    : null;
  if (newsroom) {
    const { back, ...shell } = newsroom;
    const links = html`<p class="moves"><a class="button" href="${back ?? '/newsroom'}">Back to where you were</a> <a href="/newsroom">Editions</a></p>`;
    return newsroomPage({ title: `${status} — ${message}`, ...shell, body: html`<h1>${message}</h1>${list}<p>Error ${status}.</p>${links}` });
  }
  return page({
    title: `${status} — ${message}`,
    lang: 'en',
    bodyClass: 'newsroom',
    body: html`<main class="narrow"><h1>${message}</h1>${list}<p>Error ${status}. <a href="/newsroom">Back to the newsroom</a></p></main>`,
  });
}
