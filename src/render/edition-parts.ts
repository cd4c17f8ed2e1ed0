// What the platform adds around the author's text (masthead, byline, tip line,
// « view in browser », menu title, greeting, credits, footer), computed once
// from the model and the publication and shared by every renderer, so that
// the email, the text and the web page cannot say different things.
import type { Edition } from '../edition/model.ts';
import type { Publication, Language } from '../edition/publication.ts';
import { stringsFor, type Strings } from './strings.ts';
import { typeset } from './typeset.ts';
import { writtenDate } from './written-date.ts';
import { editionUrl, mailtoUrl, publicationUrl, tipsUrl, type RenderOptions } from './urls.ts';
import { PLACEHOLDERS } from './placeholders.ts';
import { subjectOf, preheaderOf } from './edition-text.ts';

/** A run of typeset (not escaped) text, a link when `href` is set. */
export interface Piece {
  text: string;
  href?: string;
}

export interface EditionParts {
  language: Language;
  strings: Strings;
  /** The publication's name. */
  masthead: string;
  /** The date with its year (« lundi 2 mars 2026 »), for the masthead. */
  dateline: string;
  /** `YYYY-MM-DD`, for `<time datetime>`. */
  isoDate: string;
  /** « Par JEANNE MOREAU ». */
  byline: string;
  /** « Avec PAUL GIRARD et INÈS HADDAD », when the edition has contributors. */
  withLine?: string;
  tipLine: Piece[];
  viewInBrowser: Required<Piece>;
  menuTitle: string;
  greeting: Piece[];
  credits?: string;
  subject: string;
  preheader: string;
  /** The canonical « view in browser » address. */
  url: string;
  /** The publication's home page (archive, subscribe). */
  homeUrl: string;
  footer: {
    unsubscribe: Required<Piece>;
    preferences: Required<Piece>;
    why: string;
    address: string;
    archive: Required<Piece>;
    subscribe: Required<Piece>;
  };
}

/** Names joined the language's way, as pieces (so that each name may carry a link). */
export function joinedPieces(items: readonly Piece[], language: Language): Piece[] {
  const format = new Intl.ListFormat(stringsFor(language).locale, { style: 'long', type: 'conjunction' });
  let index = 0;
  return format.formatToParts(items.map((i) => i.text)).map((part) =>
    part.type === 'element' ? items[index++]! : { text: typeset(part.value, language) },
  );
}

/** Names joined the language's way (« Paul Girard et Inès Haddad »). */
export function joinedNames(names: readonly string[], language: Language): string {
  return joinedPieces(
    names.map((n) => ({ text: n })),
    language,
  )
    .map((p) => p.text)
    .join('');
}

/** Fills a template's `{key}` slots with pieces; literal text is typeset, unknown slots stay as typed. */
export function fillTemplate(template: string, values: Record<string, Piece[]>, language: Language): Piece[] {
  const out: Piece[] = [];
  // The whole template is typeset before it is cut at its slots: a chunk such
  // as « ? » after `{team}` starts with a space, and alone the typesetter
  // cannot tell that a word stands before it (the slots survive typesetting as typed).
  for (const chunk of typeset(template, language).split(/(\{[a-z]+\})/)) {
    if (!chunk) continue;
    const slot = /^\{([a-z]+)\}$/.exec(chunk);
    const value = slot ? values[slot[1]!] : undefined;
    if (value) out.push(...value);
    else out.push({ text: chunk });
  }
  return out;
}

/** Joins pieces into one string (for parts that carry no link). */
export function piecesText(pieces: readonly Piece[]): string {
  return pieces.map((p) => p.text).join('');
}

function upper(text: string, strings: Strings): string {
  return text.toLocaleUpperCase(strings.locale);
}

/**
 * The email subject as every rendering shows it: the edition's (or its
 * default), typeset for the publication's language, never empty.
 */
export function typesetSubject(edition: Edition, publication: Publication): string {
  const language = publication.language;
  return (
    typeset(subjectOf(edition).trim(), language) ||
    // Typeset as one line, so that the dash keeps the no-break space French puts before it.
    typeset(`${publication.name} — ${writtenDate(edition.date, language, { year: true })}`, language)
  );
}

/** Computes every platform-added part of an edition. */
export function editionParts(edition: Edition, publication: Publication, options: RenderOptions): EditionParts {
  const language = publication.language;
  const strings = stringsFor(language);
  const t = (text: string) => typeset(text, language);
  const name = t(publication.name);
  const nameP: Piece[] = [{ text: name }];
  const url = editionUrl(options.publicUrl, publication.slug, edition.date);
  const homeUrl = publicationUrl(options.publicUrl, publication.slug);

  const byNames = edition.by.map((n) => upper(t(n), strings));
  const withNames = edition.with.map((n) => upper(t(n), strings));

  const team = joinedPieces(
    publication.team.map((m) => ({ text: t(m.name), href: mailtoUrl(m.email) })),
    language,
  );
  // The tip line offers the team's addresses and the encrypted tip form
  // (`{form}`; a template of the newsroom's own without it gets the form
  // after it), closed with a full stop unless it ends with punctuation.
  const form: Piece[] = [{ text: t(strings.tipForm), href: tipsUrl(options.appUrl ?? options.publicUrl, publication.slug) }];
  const template = publication.tipLine ?? strings.tipLine;
  const tipLine = fillTemplate(template, { team, name: nameP, form }, language);
  if (!template.includes('{form}')) {
    if (!/[.!?…:»)]\s*$/.test(piecesText(tipLine))) tipLine.push({ text: '.' });
    tipLine.push({ text: ' ' }, ...fillTemplate(strings.tipFormAlone, { form }, language));
  }
  if (!/[.!?…:»)]\s*$/.test(piecesText(tipLine))) tipLine.push({ text: '.' });

  const dateDay = t(writtenDate(edition.date, language));
  const greeting = fillTemplate(publication.greeting ?? strings.greeting, { date: [{ text: dateDay }], name: nameP }, language);

  const thanks = edition.thanks?.trim();
  const credits = thanks
    ? piecesText(fillTemplate(strings.credits, { thanks: [{ text: t(thanks) }] }, language)) + (/[.!?…]$/.test(thanks) ? '' : '.')
    : undefined;

  const subject = typesetSubject(edition, publication);
  const preheader = t(preheaderOf(edition).trim());

  return {
    language,
    strings,
    masthead: name,
    dateline: t(writtenDate(edition.date, language, { year: true })),
    isoDate: edition.date,
    byline: `${t(strings.by)} ${joinedNames(byNames, language)}`,
    withLine: withNames.length ? `${t(strings.with)} ${joinedNames(withNames, language)}` : undefined,
    tipLine,
    viewInBrowser: { text: t(strings.viewInBrowser), href: url },
    menuTitle: t(strings.menu),
    greeting,
    credits,
    subject,
    preheader,
    url,
    homeUrl,
    footer: {
      unsubscribe: { text: t(strings.unsubscribe), href: PLACEHOLDERS.unsubscribeUrl },
      preferences: { text: t(strings.preferences), href: PLACEHOLDERS.preferencesUrl },
      why: piecesText(
        fillTemplate(strings.why, { recipient: [{ text: PLACEHOLDERS.recipient }], name: nameP }, language),
      ),
      address: t(publication.address),
      archive: { text: t(strings.archive), href: homeUrl },
      subscribe: { text: piecesText(fillTemplate(strings.subscribe, { name: nameP }, language)), href: homeUrl },
    },
  };
}
