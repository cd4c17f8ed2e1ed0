// The « view in browser » page: semantic HTML5 (h1 for the edition, h2 per
// section, h3 per kicker), Open Graph tags, a canonical URL, a little inline
// CSS. It is public: no per-recipient value, no placeholder, ever.
import type { Edition } from '../edition/model.ts';
import type { Publication } from '../edition/publication.ts';
import { editionParts } from './edition-parts.ts';
import { blocksHtml, menuItemsHtml, piecesHtml, sectionHtml, type HtmlContext, type HtmlDialect } from './html-content.ts';
import { escapeHtml } from './html-escape.ts';
import { typeset } from './typeset.ts';
import { COLORS, FONT } from './email-style.ts';
import { feedUrls, type RenderOptions } from './urls.ts';

const webDialect: HtmlDialect = {
  attrs: (role) => ` class="${role}"`,
  sectionTag: 'section',
  storyTag: 'article',
};

const CSS = `
:root { color-scheme: light dark; --bg: ${COLORS.page}; --card: ${COLORS.card}; --text: ${COLORS.text}; --muted: ${COLORS.muted}; --link: ${COLORS.link}; --accent: ${COLORS.accent}; }
@media (prefers-color-scheme: dark) { :root { --bg: ${COLORS.darkPage}; --card: ${COLORS.darkCard}; --text: ${COLORS.darkText}; --muted: ${COLORS.darkMuted}; --link: ${COLORS.darkLink}; --accent: ${COLORS.darkAccent}; } }
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--text); font: 17px/1.6 ${FONT}; overflow-wrap: break-word; }
.page { max-width: 40rem; margin: 0 auto; padding: 1.5rem 1.25rem 3rem; background: var(--card); }
a { color: var(--link); }
h1 { margin: 0; font-size: 1.9rem; line-height: 1.2; }
h1 time { display: block; font-size: 0.95rem; font-weight: normal; color: var(--muted); margin-top: 0.25rem; }
.byline { margin: 1rem 0 0; font-size: 0.85rem; font-weight: bold; letter-spacing: 0.04em; }
.tipline, footer { font-size: 0.85rem; color: var(--muted); }
h2 { margin: 2rem 0 0.9rem; padding-top: 0.6rem; border-top: 2px solid var(--text); font-size: 0.85rem; letter-spacing: 0.08em; color: var(--accent); }
.opening { margin: 0 0 1rem; }
h3.kicker, .opening > p { display: inline; font-size: inherit; margin: 0; }
p { margin: 0 0 1rem; }
ul, ol { margin: 0 0 1rem; padding-left: 1.4rem; }
li { margin: 0 0 0.5rem; }
img { max-width: 100%; height: auto; }
.credits { font-style: italic; }
footer { margin-top: 2.5rem; }
`;

/** The text of the edition (greeting, intro, sections, credits): the page's main part after the menu, and a feed item's content. */
function articleHtml(edition: Edition, parts: ReturnType<typeof editionParts>, ctx: HtmlContext): string {
  return `<div class="greeting">
<p>${piecesHtml(parts.greeting, ctx)}</p>
${blocksHtml(edition.intro, ctx)}
</div>
${edition.sections.map((s) => sectionHtml(s, ctx)).join('\n')}
${parts.credits ? `<p class="credits">${escapeHtml(parts.credits)}</p>` : ''}`;
}

/**
 * The whole text of an edition as an HTML fragment, without page, menu, style
 * or footer: what a feed item carries (`content:encoded`, Atom content,
 * `content_html`), so that a feed reader shows the edition in full.
 */
export function renderWebContent(edition: Edition, publication: Publication, options: RenderOptions): string {
  const parts = editionParts(edition, publication, options);
  return articleHtml(edition, parts, { language: parts.language, publicUrl: options.publicUrl, dialect: webDialect });
}

/** Renders the public web page of an edition. */
export function renderWeb(edition: Edition, publication: Publication, options: RenderOptions): string {
  const parts = editionParts(edition, publication, options);
  const ctx: HtmlContext = { language: parts.language, publicUrl: options.publicUrl, dialect: webDialect };
  const e = escapeHtml;
  // Typeset as one line, so that the dash keeps the no-break space French puts before it.
  const title = parts.subject ? typeset(`${parts.subject} — ${parts.masthead}`, parts.language) : parts.masthead;
  const description = parts.preheader || parts.subject;
  const f = parts.footer;

  const menu = edition.menu.length
    ? `<nav class="menu" aria-labelledby="menu-title">
<h2 id="menu-title">${e(parts.menuTitle.toLocaleUpperCase(parts.language))}</h2>
<ul>
${menuItemsHtml(edition, ctx)}
</ul>
</nav>`
    : '';

  return `<!doctype html>
<html lang="${parts.language}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>${e(title)}</title>
<meta name="description" content="${e(description)}">
<link rel="canonical" href="${e(parts.url)}">
${feedUrls(options.publicUrl, publication.slug)
  .map((f) => `<link rel="alternate" type="${f.type}" title="${e(parts.masthead)} (${f.format})" href="${e(f.url)}">`)
  .join('\n')}
<meta property="og:type" content="article">
<meta property="og:site_name" content="${e(parts.masthead)}">
<meta property="og:title" content="${e(parts.subject || parts.masthead)}">
<meta property="og:description" content="${e(description)}">
<meta property="og:url" content="${e(parts.url)}">
<meta property="og:locale" content="${e(parts.strings.ogLocale)}">
<meta property="article:published_time" content="${e(parts.isoDate)}">
<style>${CSS}</style>
</head>
<body>
<div class="page">
<header>
<h1>${e(parts.masthead)} <time datetime="${e(parts.isoDate)}">${e(parts.dateline)}</time></h1>
<p class="byline">${e(parts.byline)}${parts.withLine ? `<br>${e(parts.withLine)}` : ''}</p>
<p class="tipline">${piecesHtml(parts.tipLine, ctx)}</p>
</header>
<main>
${menu}
${articleHtml(edition, parts, ctx)}
</main>
<footer>
<p><a href="${e(f.subscribe.href)}">${e(f.subscribe.text)}</a> · <a href="${e(f.archive.href)}">${e(f.archive.text)}</a></p>
<p class="address">${e(f.address)}</p>
</footer>
</div>
</body>
</html>
`;
}
