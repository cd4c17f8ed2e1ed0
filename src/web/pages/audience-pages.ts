// The audience's public pages: after subscribing, the confirmation page, the
// unsubscribe page and the preferences page. Plain, accessible HTML in the
// publication's language; every value is escaped by `html`. Buttons post back
// to the same link: a GET only ever shows a page.
import { html, type SafeHtml } from '../html.ts';
import { page } from './layout.ts';
import { typesetStrings, fill, type AudienceStrings } from '../../audience/strings.ts';
import type { Language } from '../../edition/publication.ts';
import type { PreferencesView } from '../../audience/preferences.ts';

function shell(language: Language, title: string, body: SafeHtml): string {
  return page({
    title,
    lang: language,
    head: html`<meta name="robots" content="noindex">`,
    body: html`<main class="narrow">
<h1>${title}</h1>
${body}
</main>`,
  });
}

/** A page that only says something (done, already done, invalid link). */
export function messagePage(language: Language, title: string, message: string, extra?: SafeHtml): string {
  return shell(language, title, html`<p role="status">${message}</p>${extra ?? null}`);
}

/** The page a confirmation link opens: one button that confirms. */
export function confirmPage(language: Language, publicationName: string, action: string): string {
  const s = typesetStrings(language);
  return shell(
    language,
    s.confirmTitle,
    html`<p>${fill(s.confirmQuestion, { name: publicationName })}</p>
<p><small>${fill(s.consentWording, { name: publicationName })}</small></p>
<form method="post" action="${action}">
<input type="hidden" name="wording" value="${s.wordingVersion}">
<p><button type="submit">${s.confirmButton}</button></p>
</form>`,
  );
}

/** The page an unsubscribe link opens: leave, stay, or change preferences. */
export function unsubscribePage(language: Language, publicationName: string, action: string, archiveUrl: string, preferencesUrl?: string): string {
  const s = typesetStrings(language);
  return shell(
    language,
    s.unsubscribeTitle,
    html`<p>${fill(s.unsubscribeQuestion, { name: publicationName })}</p>
<form method="post" action="${action}">
<p><button type="submit">${s.unsubscribeButton}</button></p>
</form>
<p><a href="${archiveUrl}">${s.stayLink}</a>${preferencesUrl ? html` · <a href="${preferencesUrl}">${s.changePreferences}</a>` : null}</p>`,
  );
}

export interface PreferencesPageOptions {
  /** The form's token against cross-site posts (preferences-link.ts). */
  csrf?: { field: string; token: string };
  saved?: boolean;
  /** Why the form comes back unsaved. */
  problem?: string;
}

/** The preferences form: publications to receive, name. A publication awaiting its confirmation is ticked, with a note. */
export function preferencesPage(language: Language, view: PreferencesView, action: string, options: PreferencesPageOptions = {}): string {
  const s: AudienceStrings = typesetStrings(language);
  const items = view.publications.map(
    (p) =>
      html`<li><label><input type="checkbox" name="publication" value="${p.id}"${p.receives || p.pending ? html` checked` : null}> ${p.name}</label>${
        p.pending ? html` <small>(${s.awaitingConfirmation})</small>` : null
      }</li>`,
  );
  const requested = view.requested ?? [];
  return shell(
    language,
    s.preferencesTitle,
    html`${options.problem ? html`<p role="alert">${options.problem}</p>` : null}${options.saved ? html`<p role="status">${s.saved}</p>` : null}${
      requested.length ? html`<p role="status">${fill(s.confirmationsSent, { names: requested.join(', ') })}</p>` : null
    }
<p>${view.email}</p>
<form method="post" action="${action}">
${options.csrf ? html`<input type="hidden" name="${options.csrf.field}" value="${options.csrf.token}">` : null}
<fieldset>
<legend>${s.publicationsLegend}</legend>
<ul class="plain">${items}</ul>
</fieldset>
<p><label for="name">${s.nameLabel}</label><br><input id="name" name="name" type="text" autocomplete="given-name" value="${view.name ?? ''}"></p>
<p><button type="submit">${s.saveButton}</button></p>
</form>`,
  );
}

/** The page of an expired preferences link: one button that mails a fresh link to its owner. */
export function preferencesExpiredPage(language: Language, action: string, csrf: { field: string; token: string }): string {
  const s = typesetStrings(language);
  return shell(
    language,
    s.preferencesTitle,
    html`<p>${s.preferencesExpired}</p>
<form method="post" action="${action}">
<input type="hidden" name="${csrf.field}" value="${csrf.token}">
<p><button type="submit">${s.sendFreshLinkButton}</button></p>
</form>`,
  );
}

/** The answer to the subscribe form: always the same words, whatever the list held. */
export function checkInboxPage(language: Language, publicationName: string): string {
  const s = typesetStrings(language);
  return messagePage(language, s.confirmTitle, fill(s.checkInbox, { name: publicationName }));
}

/**
 * The subscribe form again, with its problem: the address by default, or
 * another text (an expired form). It carries a fresh CSRF token like the archive's form.
 */
export function invalidAddressPage(language: Language, action: string, email: string, csrf: { field: string; token: string }, problem?: string): string {
  const s = typesetStrings(language);
  return shell(
    language,
    s.subscribeButton,
    html`<p role="alert" id="problem">${problem ?? s.invalidAddress}</p>
<form method="post" action="${action}">
<input type="hidden" name="${csrf.field}" value="${csrf.token}">
<p><label for="email">${s.emailLabel}</label><br><input id="email" name="email" type="email" required autocomplete="email" aria-describedby="problem" value="${email}"></p>
<p><button type="submit">${s.subscribeButton}</button></p>
</form>`,
  );
}
