// The audience's own mails: confirmation, "already subscribed", a fresh
// preferences link, and welcome.
// Plain text first, with a simple HTML part. Every text is typeset in the
// publication's language like an edition (apostrophes, French spaces before
// : ; ! ?), then escaped on its way to HTML. Mails to an active subscriber carry the List-Unsubscribe headers.
import { typeset } from '../edition/typography.ts';
import type { Language } from '../edition/publication.ts';
import { escapeHtml } from '../render/html-escape.ts';
import { editionUrl, publicationUrl } from '../render/urls.ts';
import type { Mail } from './mailer.ts';
import type { PublicationRef } from './publication-ref.ts';
import type { RecipientLinks } from './links.ts';
import { audienceStrings, fill } from './strings.ts';
import { senderOf } from './sender.ts';

/** The message asking an address to confirm its subscription. */
export function confirmationMail(publication: PublicationRef, to: string, link: string, publicUrl: string): Mail {
  const s = audienceStrings(publication.language);
  const text = say(s.confirmText, { name: publication.name, link }, publication.language);
  return {
    ...senderOf(publication, publicUrl),
    to,
    subject: say(s.confirmSubject, { name: publication.name }, publication.language),
    text,
    html: htmlOf(publication, text),
    // A confirmation is not list mail: no List-Unsubscribe, and auto-replies stay away.
    headers: { 'Auto-Submitted': 'auto-generated' },
  };
}

/** The message to an address that asked to subscribe while already subscribed: no state change. */
export function alreadySubscribedMail(publication: PublicationRef, to: string, links: RecipientLinks, publicUrl: string): Mail {
  const s = audienceStrings(publication.language);
  const text = say(s.alreadyText, { name: publication.name, link: links.preferencesUrl }, publication.language);
  return {
    ...senderOf(publication, publicUrl),
    to,
    subject: say(s.alreadySubject, { name: publication.name }, publication.language),
    text,
    html: htmlOf(publication, text),
    headers: { 'Auto-Submitted': 'auto-generated', ...links.headers },
  };
}

/** A fresh preferences link, asked for from the page of an expired one: it goes to the subscriber's own address only. */
export function preferencesLinkMail(publication: PublicationRef, to: string, link: string, publicUrl: string): Mail {
  const s = audienceStrings(publication.language);
  const text = say(s.freshLinkText, { name: publication.name, link }, publication.language);
  return {
    ...senderOf(publication, publicUrl),
    to,
    subject: say(s.freshLinkSubject, { name: publication.name }, publication.language),
    text,
    html: htmlOf(publication, text),
    headers: { 'Auto-Submitted': 'auto-generated' },
  };
}

/**
 * The welcome mail, sent when a subscription becomes active: the publication's
 * welcome text (setting `welcome`), then a link to the latest edition in the
 * archive (or to the archive when none is public yet), then the links to leave.
 */
export function welcomeMail(
  publication: PublicationRef,
  to: string,
  links: RecipientLinks,
  latestEditionDate: string | undefined,
  publicUrl: string,
): Mail {
  const s = audienceStrings(publication.language);
  const language = publication.language;
  const body = (publication.settings.welcome ?? fill(s.welcomeDefault, { name: publication.name })).trim();
  const latest = latestEditionDate
    ? { label: s.latestEdition, url: editionUrl(publicUrl, publication.slug, latestEditionDate) }
    : { label: s.archive, url: publicationUrl(publicUrl, publication.slug) };
  // "Label: URL" lines: the language's colon (a narrow no-break space before it in French) comes from typesetting.
  const line = (label: string, url: string) => typeset(`${label}: ${url}`, language);
  const text = [
    plainOf(body, language),
    line(latest.label, latest.url),
    `--\n${line(s.preferences, links.preferencesUrl)}\n${line(s.unsubscribe, links.unsubscribeUrl)}`,
  ].join('\n\n');
  const html = page(
    publication,
    [
      ...paragraphs(body).map((p) => `<p>${inlineHtml(p, language)}</p>`),
      `<p><a href="${escapeHtml(latest.url)}">${escapeHtml(typeset(latest.label, language))}</a></p>`,
      `<p style="font-size:13px;color:#666"><a href="${escapeHtml(links.preferencesUrl)}">${escapeHtml(typeset(s.preferences, language))}</a> · ` +
        `<a href="${escapeHtml(links.unsubscribeUrl)}">${escapeHtml(typeset(s.unsubscribe, language))}</a></p>`,
    ].join('\n'),
  );
  return {
    ...senderOf(publication, publicUrl),
    to,
    subject: say(s.welcomeSubject, { name: publication.name }, language),
    text,
    html,
    headers: links.headers,
  };
}

function paragraphs(text: string): string[] {
  return text
    .split(/\n\s*\n/)
    .map((p) => p.trim())
    .filter(Boolean);
}

// The welcome text is Briefing Markdown body text; of its inline syntax the
// welcome mail keeps links and emphasis, which is what such texts use.
const LINK = /\[([^\]]+)\]\(([^)\s]+)\)/g;

function plainOf(markdown: string, language: Language): string {
  return paragraphs(markdown)
    .map((p) => typeset(p.replace(LINK, '$1 ($2)').replace(/\*\*?|__?/g, ''), language))
    .join('\n\n');
}

// Text is typeset before it is escaped (typeset returns characters, never
// entities); link addresses are left as written.
function inlineHtml(markdown: string, language: Language): string {
  let out = '';
  let last = 0;
  for (const m of markdown.matchAll(LINK)) {
    out += emphasis(escapeHtml(typeset(markdown.slice(last, m.index), language)));
    const href = /^(https?:|mailto:)/i.test(m[2]!) ? m[2]! : '#';
    out += `<a href="${escapeHtml(href)}">${escapeHtml(typeset(m[1]!, language))}</a>`;
    last = m.index! + m[0].length;
  }
  return out + emphasis(escapeHtml(typeset(markdown.slice(last), language)));
}

/** A fixed string of the audience filled in and typeset in the publication's language. */
function say(template: string, values: Record<string, string>, language: Language): string {
  return typeset(fill(template, values), language);
}

function emphasis(escaped: string): string {
  return escaped.replace(/\*\*([^*]+)\*\*/g, '<strong>$1</strong>').replace(/\*([^*]+)\*/g, '<em>$1</em>');
}

function htmlOf(publication: PublicationRef, text: string): string {
  const body = paragraphs(text)
    .map((p) => `<p>${escapeHtml(p).replace(/(https?:\/\/[^\s<]+)/g, '<a href="$1">$1</a>').replace(/\n/g, '<br>')}</p>`)
    .join('\n');
  return page(publication, body);
}

function page(publication: PublicationRef, body: string): string {
  return `<!doctype html>
<html lang="${publication.language}"><head><meta charset="utf-8"><title>${escapeHtml(publication.name)}</title></head>
<body style="font-family:-apple-system,'Segoe UI',Helvetica,Arial,sans-serif;font-size:16px;line-height:1.5;color:#222;max-width:36em;margin:0 auto;padding:16px">
<h1 style="font-size:20px">${escapeHtml(publication.name)}</h1>
${body}
</body></html>`;
}
