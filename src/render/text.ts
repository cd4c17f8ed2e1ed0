// The plain-text rendering, written from the model (never scraped from the
// HTML): the same parts in the same order as the email, wrapped at 78
// characters, each link a numbered reference listed at the end of its part.
import type { Block, Edition, Inline, Section, Story } from '../edition/model.ts';
import type { Language, Publication } from '../edition/publication.ts';
import { editionParts, type Piece } from './edition-parts.ts';
import { stringsFor } from './strings.ts';
import { typeset } from './typeset.ts';
import { absoluteUrl, type RenderOptions } from './urls.ts';
import { displayLength, TEXT_WIDTH, wrap } from './text-wrap.ts';

/** Numbers links in reading order; each part lists the ones it used. */
class References {
  private next = 1;
  private pending: Array<{ n: number; url: string }> = [];

  /** The reference number of a link, reused when the part already cites it. */
  cite(url: string): number {
    const known = this.pending.find((r) => r.url === url);
    if (known) return known.n;
    const n = this.next++;
    this.pending.push({ n, url });
    return n;
  }

  /** The lines listing the part's references, emptied for the next part. */
  flush(): string[] {
    // Never wrapped: a URL stays whole beside its number, however long.
    const lines = this.pending.map((r) => `[${r.n}] ${displayUrl(r.url)}`);
    this.pending = [];
    return lines;
  }
}

function displayUrl(url: string): string {
  return url.startsWith('mailto:') ? url.slice('mailto:'.length) : url;
}

interface TextContext {
  language: Language;
  publicUrl: string;
  refs: References;
}

/** How inline content is shown: kickers in capitals, menu teasers without references (they have no part to list them in). */
interface InlineMode {
  upper?: boolean;
  noLinks?: boolean;
}

function inlineText(inlines: readonly Inline[], ctx: TextContext, mode: InlineMode = {}): string {
  let out = '';
  for (const node of inlines) {
    switch (node.type) {
      case 'text': {
        const text = typeset(node.value, ctx.language).replace(/[ \t\r\n]+/g, ' ');
        out += mode.upper ? text.toLocaleUpperCase(ctx.language) : text;
        break;
      }
      case 'emphasis':
      case 'strong':
        out += inlineText(node.children, ctx, mode);
        break;
      case 'link':
        out += inlineText(node.children, ctx, mode);
        if (!mode.noLinks) out += ` [${ctx.refs.cite(absoluteUrl(node.url, ctx.publicUrl))}]`;
        break;
      case 'image': {
        if (mode.noLinks) {
          out += node.alt;
          break;
        }
        const strings = stringsFor(ctx.language);
        const label = typeset(`${strings.image}${strings.colon} ${node.alt}`, ctx.language);
        out += `[${label}] [${ctx.refs.cite(absoluteUrl(node.url, ctx.publicUrl))}]`;
        break;
      }
      case 'break':
        out += '\n';
        break;
    }
  }
  return out;
}

function piecesText(pieces: readonly Piece[], refs: References): string {
  return pieces.map((p) => (p.href ? `${p.text} [${refs.cite(p.href)}]` : p.text)).join('');
}

function paragraphText(block: Extract<Block, { type: 'paragraph' }>, ctx: TextContext): string {
  const lead = block.leadIn ? inlineText(block.leadIn, ctx) + ' ' : '';
  return lead + inlineText(block.children, ctx);
}

function blockLines(block: Block, ctx: TextContext): string[] {
  if (block.type === 'paragraph') return wrap(paragraphText(block, ctx));
  return block.items.flatMap((item, i) => {
    const lead = item.lead ? inlineText(item.lead, ctx) + ' ' : '';
    const bullet = block.ordered ? `${i + 1}. ` : '- ';
    return wrap(lead + inlineText(item.children, ctx), {
      firstPrefix: bullet,
      restPrefix: ' '.repeat(bullet.length),
    });
  });
}

/** Paragraph groups separated by blank lines. */
type Chunk = string[];

function storyChunks(story: Story, ctx: TextContext): Chunk[] {
  const kicker = inlineText(story.kicker, ctx, { upper: true });
  const [first, ...rest] = story.blocks;
  if (first?.type === 'paragraph') {
    return [wrap(`${kicker} ${paragraphText(first, ctx)}`), ...rest.map((b) => blockLines(b, ctx))];
  }
  return [wrap(kicker), ...story.blocks.map((b) => blockLines(b, ctx))];
}

function sectionChunks(section: Section, ctx: TextContext): Chunk[] {
  const label = typeset(section.label, ctx.language).toLocaleUpperCase(ctx.language);
  const labelLines = wrap(label);
  const chunks: Chunk[] = [
    [...labelLines, '='.repeat(Math.min(Math.max(...labelLines.map(displayLength)), TEXT_WIDTH))],
    ...section.blocks.map((b) => blockLines(b, ctx)),
    ...section.stories.flatMap((s) => storyChunks(s, ctx)),
  ];
  return withReferences(chunks, ctx.refs);
}

function withReferences(chunks: Chunk[], refs: References): Chunk[] {
  const listed = refs.flush();
  return listed.length ? [...chunks, listed] : chunks;
}

/** Renders the plain text of an edition, with per-recipient placeholders left in. */
export function renderText(edition: Edition, publication: Publication, options: RenderOptions): string {
  const parts = editionParts(edition, publication, options);
  const refs = new References();
  const ctx: TextContext = { language: parts.language, publicUrl: options.publicUrl, refs };
  const upper = (s: string) => s.toLocaleUpperCase(parts.language);

  const chunks: Chunk[] = [];
  chunks.push([...wrap(upper(parts.masthead)), ...wrap(parts.dateline)]);
  chunks.push(
    ...withReferences(
      [
        [...wrap(parts.byline), ...(parts.withLine ? wrap(parts.withLine) : [])],
        wrap(piecesText(parts.tipLine, refs)),
        wrap(piecesText([parts.viewInBrowser], refs)),
      ],
      refs,
    ),
  );
  if (edition.menu.length) {
    chunks.push([
      ...wrap(upper(parts.menuTitle)),
      ...edition.menu.flatMap((m) =>
        wrap(inlineText(m.teaser, ctx, { noLinks: true }), { firstPrefix: '— ', restPrefix: '  ' }),
      ),
    ]);
  }
  chunks.push(...withReferences([wrap(piecesText(parts.greeting, refs)), ...edition.intro.map((b) => blockLines(b, ctx))], refs));
  for (const section of edition.sections) chunks.push(...sectionChunks(section, ctx));
  if (parts.credits) chunks.push(wrap(parts.credits));

  const f = parts.footer;
  chunks.push(['-- ']);
  // Placeholder URLs get lines of their own: filled in, they are long.
  // Typeset with its label: alone, « : » has no word before it to hold on to.
  const label = (text: string) => typeset(text + parts.strings.colon, parts.language);
  chunks.push([...wrap(label(f.unsubscribe.text)), f.unsubscribe.href]);
  chunks.push([...wrap(label(f.preferences.text)), f.preferences.href]);
  chunks.push(wrap(f.why), wrap(f.address));

  return chunks.map((c) => c.join('\n')).join('\n\n') + '\n';
}
