// The email: MJML built from the model and the shared parts, compiled once per
// call (MJML is the slow step). Per-recipient values stay placeholders.
import { createRequire } from 'node:module';
import type Mjml2Html from 'mjml';
import type { MJMLParseResults } from 'mjml-core';
import type { Edition } from '../edition/model.ts';
import type { Publication } from '../edition/publication.ts';
import { editionParts, type EditionParts } from './edition-parts.ts';
import { blocksHtml, menuItemsHtml, piecesHtml, sectionHtml, type HtmlContext } from './html-content.ts';
import { escapeHtml } from './html-escape.ts';
import { COLORS, EMAIL_HEAD_CSS, FONT, emailDialect, roleStyle } from './email-style.ts';
import type { RenderOptions } from './urls.ts';

/** Raised when MJML reports a problem: a bug in this renderer, never the author's. */
export class EmailRenderError extends Error {}

const WRAP = 'overflow-wrap:break-word;word-wrap:break-word';
const MUTED = `color:${COLORS.muted}`;

function card(cssClass: string, html: string, padding = '8px 0'): string {
  return `<mj-section css-class="mt-card ${cssClass}" padding="${padding}"><mj-column><mj-text><div style="${WRAP}">
${html}
</div></mj-text></mj-column></mj-section>`;
}

function link(piece: { text: string; href: string }, cssClass: string): string {
  return `<a href="${escapeHtml(piece.href)}" class="mt-link ${cssClass}" style="${roleStyle('link')}">${escapeHtml(piece.text)}</a>`;
}

/** The email's MJML source (exposed for tests and for debugging a layout). */
export function emailMjml(edition: Edition, publication: Publication, options: RenderOptions): string {
  const parts = editionParts(edition, publication, options);
  const ctx: HtmlContext = { language: parts.language, publicUrl: options.publicUrl, dialect: emailDialect };
  const p = (cls: string, inner: string, style = roleStyle('p')) => `<p class="${cls}" style="${style}">${inner}</p>`;

  const masthead = card(
    'mt-masthead',
    `<h1 class="mt-title" style="margin:0;font-size:30px;line-height:1.2;font-weight:bold;color:${COLORS.text}">${escapeHtml(parts.masthead)}</h1>
${p('mt-dateline mt-muted', `<time datetime="${escapeHtml(parts.isoDate)}">${escapeHtml(parts.dateline)}</time>`, `margin:4px 0 0;${MUTED};font-size:14px`)}`,
    '24px 0 8px',
  );
  const header = card(
    'mt-header',
    [
      p('mt-byline', escapeHtml(parts.byline), 'margin:0;font-size:14px;font-weight:bold;letter-spacing:0.04em'),
      parts.withLine ? p('mt-with', escapeHtml(parts.withLine), 'margin:0;font-size:14px;font-weight:bold;letter-spacing:0.04em') : '',
      p('mt-tipline mt-muted', piecesHtml(parts.tipLine, ctx), `margin:12px 0 0;font-size:14px;${MUTED}`),
      p('mt-view-in-browser mt-muted', link(parts.viewInBrowser, 'mt-view-in-browser-link'), `margin:6px 0 0;font-size:14px;${MUTED}`),
    ]
      .filter(Boolean)
      .join('\n'),
  );
  const menu = edition.menu.length
    ? card(
        'mt-menu',
        `<h2 class="mt-menu-title" style="${roleStyle('section-label')}">${escapeHtml(parts.menuTitle.toLocaleUpperCase(parts.language))}</h2>
<ul class="mt-menu-list" style="${roleStyle('list')}">
${menuItemsHtml(edition, ctx)}
</ul>`,
      )
    : '';
  const greeting = card(
    'mt-greeting',
    [p('mt-greeting-text', piecesHtml(parts.greeting, ctx)), blocksHtml(edition.intro, ctx)].filter(Boolean).join('\n'),
  );
  const sections = edition.sections.map((s) => card('mt-section', sectionHtml(s, ctx))).join('\n');
  const credits = parts.credits ? card('mt-credits', p('mt-credits-text', `<em>${escapeHtml(parts.credits)}</em>`)) : '';
  const footer = footerCard(parts);

  return `<mjml lang="${parts.language}" dir="ltr">
<mj-head>
<mj-title>${escapeHtml(parts.subject)}</mj-title>
${parts.preheader ? `<mj-preview>${escapeHtml(parts.preheader)}</mj-preview>\n` : ''}<mj-attributes>
<mj-all font-family="${escapeHtml(FONT)}" />
<mj-text font-size="17px" line-height="1.55" color="${COLORS.text}" padding="0 24px" />
<mj-section background-color="${COLORS.card}" />
</mj-attributes>
<mj-raw><meta name="color-scheme" content="light dark"><meta name="supported-color-schemes" content="light dark"></mj-raw>
<mj-style>${EMAIL_HEAD_CSS}</mj-style>
</mj-head>
<mj-body background-color="${COLORS.page}" width="600px" css-class="mt-body">
${[masthead, header, menu, greeting, sections, credits, footer].filter(Boolean).join('\n')}
</mj-body>
</mjml>`;
}

function footerCard(parts: EditionParts): string {
  const f = parts.footer;
  const small = `margin:0 0 8px;font-size:13px;line-height:1.5;${MUTED}`;
  return card(
    'mt-footer mt-muted',
    [
      `<p class="mt-footer-links mt-muted" style="${small}">${link(f.unsubscribe, 'mt-unsubscribe')} · ${link(f.preferences, 'mt-preferences')}</p>`,
      `<p class="mt-why mt-muted" style="${small}">${escapeHtml(f.why)}</p>`,
      `<p class="mt-address mt-muted" style="${small}">${escapeHtml(f.address)}</p>`,
    ].join('\n'),
    '16px 0 24px',
  );
}

// MJML is the heaviest library we use (0.7 s to load, more than Node's own
// start): required on the first email rendered, not by every process that
// imports render/ (a worker or the web app ready before any edition is rendered).
const require = createRequire(import.meta.url);
let mjml: typeof Mjml2Html | undefined;
function mjml2html(...args: Parameters<typeof Mjml2Html>): ReturnType<typeof Mjml2Html> {
  mjml ??= require('mjml') as typeof Mjml2Html;
  return mjml(...args);
}

/** Renders the email HTML of an edition, with per-recipient placeholders left in. */
export function renderEmail(edition: Edition, publication: Publication, options: RenderOptions): string {
  // MJML 4 compiles synchronously; the installed types describe MJML 5's promise.
  const result = mjml2html(emailMjml(edition, publication, options), {
    validationLevel: 'soft',
    keepComments: false,
    fonts: {},
  }) as unknown as MJMLParseResults;
  if (result.errors.length) {
    throw new EmailRenderError(result.errors.map((e) => e.formattedMessage).join('\n'));
  }
  return result.html;
}
