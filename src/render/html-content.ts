// The edition's content as HTML, shared by the email and the web page. The two
// differ only in their dialect: the email needs inline styles (clients drop
// <style> rules) and plain <div>s, the web page uses classes and HTML5 elements.
import type { Block, Edition, Inline, Section, Story } from '../edition/model.ts';
import type { Language } from '../edition/publication.ts';
import type { Piece } from './edition-parts.ts';
import { escapeHtml } from './html-escape.ts';
import { typeset } from './typeset.ts';
import { absoluteUrl } from './urls.ts';

/** The roles a fragment's elements play; a dialect styles each. */
export type Role =
  | 'p'
  | 'lead-in'
  | 'list'
  | 'item'
  | 'item-lead'
  | 'link'
  | 'image'
  | 'section'
  | 'section-label'
  | 'story'
  | 'kicker'
  | 'opening'
  | 'first-paragraph';

export interface HtmlDialect {
  /** Attributes (with a leading space) for an element playing `role`. */
  attrs(role: Role): string;
  sectionTag: 'section' | 'div';
  storyTag: 'article' | 'div';
}

export interface HtmlContext {
  language: Language;
  publicUrl: string;
  dialect: HtmlDialect;
}

/** How inline content is shown: kickers in capitals, menu teasers without their own links (they sit in one). */
export interface InlineMode {
  upper?: boolean;
  noLinks?: boolean;
}

/** Inline content as HTML: typeset, then escaped. */
export function inlineHtml(inlines: readonly Inline[], ctx: HtmlContext, mode: InlineMode = {}): string {
  let out = '';
  for (const node of inlines) {
    switch (node.type) {
      case 'text': {
        const text = typeset(node.value, ctx.language);
        out += escapeHtml(mode.upper ? text.toLocaleUpperCase(ctx.language) : text);
        break;
      }
      case 'emphasis':
        out += `<em>${inlineHtml(node.children, ctx, mode)}</em>`;
        break;
      case 'strong':
        out += `<strong>${inlineHtml(node.children, ctx, mode)}</strong>`;
        break;
      case 'link':
        out += mode.noLinks
          ? inlineHtml(node.children, ctx, mode)
          : `<a href="${escapeHtml(absoluteUrl(node.url, ctx.publicUrl))}"${ctx.dialect.attrs('link')}>${inlineHtml(node.children, ctx, mode)}</a>`;
        break;
      case 'image':
        out += `<img src="${escapeHtml(absoluteUrl(node.url, ctx.publicUrl))}" alt="${escapeHtml(typeset(node.alt, ctx.language))}"${ctx.dialect.attrs('image')}>`;
        break;
      case 'break':
        out += '<br>';
        break;
    }
  }
  return out;
}

/** Platform pieces (tip line, greeting…) as HTML. */
export function piecesHtml(pieces: readonly Piece[], ctx: HtmlContext): string {
  return pieces
    .map((p) =>
      p.href
        ? `<a href="${escapeHtml(p.href)}"${ctx.dialect.attrs('link')}>${escapeHtml(p.text)}</a>`
        : escapeHtml(p.text),
    )
    .join('');
}

function paragraphInner(block: Extract<Block, { type: 'paragraph' }>, ctx: HtmlContext): string {
  const lead = block.leadIn ? `<strong${ctx.dialect.attrs('lead-in')}>${inlineHtml(block.leadIn, ctx)}</strong> ` : '';
  return lead + inlineHtml(block.children, ctx);
}

/** Free content (paragraphs and lists) as HTML. */
export function blocksHtml(blocks: readonly Block[], ctx: HtmlContext): string {
  return blocks.map((b) => blockHtml(b, ctx)).join('\n');
}

function blockHtml(block: Block, ctx: HtmlContext): string {
  if (block.type === 'paragraph') return `<p${ctx.dialect.attrs('p')}>${paragraphInner(block, ctx)}</p>`;
  const tag = block.ordered ? 'ol' : 'ul';
  const items = block.items
    .map((item) => {
      const lead = item.lead ? `<strong${ctx.dialect.attrs('item-lead')}>${inlineHtml(item.lead, ctx)}</strong> ` : '';
      return `<li${ctx.dialect.attrs('item')}>${lead}${inlineHtml(item.children, ctx)}</li>`;
    })
    .join('\n');
  return `<${tag}${ctx.dialect.attrs('list')}>\n${items}\n</${tag}>`;
}

/** A kicker in the language's capitals. */
export function kickerHtml(story: Story, ctx: HtmlContext): string {
  return inlineHtml(story.kicker, ctx, { upper: true });
}

/**
 * A story: its kicker as an h3 set inline, running into the first paragraph
 * (the house style), then the rest of its blocks. Kicker and first paragraph
 * share a wrapper so that the pair keeps one paragraph's spacing.
 */
export function storyHtml(story: Story, ctx: HtmlContext): string {
  const { dialect } = ctx;
  const [first, ...rest] = story.blocks;
  const kicker = `<h3${dialect.attrs('kicker')}>${kickerHtml(story, ctx)}</h3>`;
  const opening =
    first?.type === 'paragraph'
      ? `<div${dialect.attrs('opening')}>${kicker} <p${dialect.attrs('first-paragraph')}>${paragraphInner(first, ctx)}</p></div>`
      : `${kicker}${first ? '\n' + blockHtml(first, ctx) : ''}`;
  const body = [opening, ...rest.map((b) => blockHtml(b, ctx))].join('\n');
  return `<${dialect.storyTag} id="${escapeHtml(story.id)}"${dialect.attrs('story')}>\n${body}\n</${dialect.storyTag}>`;
}

/** A section: its label in capitals as an h2, its free content, then its stories. */
export function sectionHtml(section: Section, ctx: HtmlContext): string {
  const { dialect } = ctx;
  const label = escapeHtml(typeset(section.label, ctx.language).toLocaleUpperCase(ctx.language));
  const parts = [
    `<h2${dialect.attrs('section-label')}>${label}</h2>`,
    blocksHtml(section.blocks, ctx),
    ...section.stories.map((s) => storyHtml(s, ctx)),
  ].filter(Boolean);
  return `<${dialect.sectionTag} id="${escapeHtml(section.id)}"${dialect.attrs('section')}>\n${parts.join('\n')}\n</${dialect.sectionTag}>`;
}

/** The menu entries as list items linking to their stories' anchors. */
export function menuItemsHtml(edition: Edition, ctx: HtmlContext): string {
  return edition.menu
    .map(
      (m) =>
        `<li${ctx.dialect.attrs('item')}><a href="#${escapeHtml(m.storyId)}"${ctx.dialect.attrs('link')}>${inlineHtml(m.teaser, ctx, { noLinks: true })}</a></li>`,
    )
    .join('\n');
}
