// Inline content of Briefing Markdown → the model's inlines, with the checks
// of links, images and everything inline the format refuses; and the scan of
// refused blocks, so that every problem inside them is reported too.
import type { Nodes, PhrasingContent } from 'mdast';
import type { Inline, Point } from './model.ts';
import { plainText } from './inline-text.ts';
import { advance, spanOf, startOf } from './parse-context.ts';
import type { Context } from './parse-context.ts';

// Deeper nesting than this is not prose: it is flattened to text, which keeps
// the converter's recursion bounded whatever the input.
const MAX_INLINE_DEPTH = 64;

/** Converts mdast phrasing content to the model's inlines, reporting what the format refuses. */
export function readInlines(ctx: Context, nodes: readonly PhrasingContent[], depth = 0): Inline[] {
  const out: Inline[] = [];
  for (const node of nodes) {
    const position = spanOf(node);
    switch (node.type) {
      case 'text':
        checkFootnoteMarks(ctx, node.value, position.start);
        out.push({ type: 'text', value: node.value, position });
        break;
      case 'break':
        out.push({ type: 'break', position });
        break;
      case 'emphasis':
      case 'strong':
        if (depth >= MAX_INLINE_DEPTH) {
          scanAll(ctx, node.children);
          out.push({ type: 'text', value: flatText(node), position });
        } else {
          out.push({ type: node.type, children: readInlines(ctx, node.children, depth + 1), position });
        }
        break;
      case 'link': {
        checkLink(ctx, node.url, startOf(node));
        const children = depth >= MAX_INLINE_DEPTH ? [] : readInlines(ctx, node.children, depth + 1);
        if (!plainText(children) && !children.some((c) => c.type === 'image')) {
          ctx.report('link-empty', startOf(node), `a link without text (to ${node.url || 'nowhere'}): readers need words to click`);
        }
        out.push({ type: 'link', url: node.url, children, position });
        break;
      }
      case 'image':
        checkImage(ctx, node.url, node.alt ?? '', startOf(node));
        out.push({ type: 'image', url: node.url, alt: node.alt ?? '', position });
        break;
      case 'inlineCode':
        ctx.report('inline-code', startOf(node), 'inline code (`…`) is not part of the format: write the words plainly or in *emphasis*');
        out.push({ type: 'text', value: node.value, position });
        break;
      case 'html':
        ctx.report('raw-html', startOf(node), `raw HTML \`${clip(node.value)}\` is not part of the format`);
        break;
      case 'linkReference':
      case 'imageReference':
        reportReference(ctx, node);
        if (node.type === 'linkReference') {
          out.push(...(depth >= MAX_INLINE_DEPTH ? [{ type: 'text' as const, value: flatText(node), position }] : readInlines(ctx, node.children, depth + 1)));
        }
        break;
      default:
        // Phrasing the format does not know (none with our extensions): keep its words.
        out.push({ type: 'text', value: flatText(node), position });
    }
  }
  return out;
}

/**
 * `[^1]` in text: a footnote mark or note that Markdown left as text (a note
 * of several words is not a link definition), still a footnote to the author.
 */
function checkFootnoteMarks(ctx: Context, value: string, start: Point): void {
  if (!value.includes('[^')) return;
  for (const m of value.matchAll(/\[\^[^\]\s]+\]/g)) {
    ctx.report('footnote', advance(start, value.slice(0, m.index)), 'footnotes are not part of the format: put the note in the text');
  }
}

function reportReference(ctx: Context, node: Extract<Nodes, { type: 'linkReference' | 'imageReference' }>): void {
  if (node.label?.startsWith('^')) {
    ctx.report('footnote', startOf(node), 'footnotes are not part of the format: put the note in the text');
  } else {
    ctx.report('reference-link', startOf(node), 'reference links (`[text][ref]`) are not part of the format: write `[text](https://…)`');
  }
}

const LINK_SCHEMES = ['http:', 'https:', 'mailto:'];

/** Links must be absolute http, https or mailto URLs: they leave the newsroom in an email. */
function checkLink(ctx: Context, url: string, at: { line: number; column: number }): void {
  const parsed = parseUrl(url);
  if (!parsed || !LINK_SCHEMES.includes(parsed.protocol)) {
    ctx.report('link-url', at, `link to \`${clip(url) || '(nothing)'}\`: links must be absolute http, https or mailto URLs`);
  } else if (parsed.protocol !== 'mailto:' && !parsed.hostname) {
    ctx.report('link-url', at, `link to \`${clip(url)}\` has no host`);
  } else if (parsed.protocol === 'mailto:' && !/^[^@\s]+@[^@\s]+/.test(decodeSafe(parsed.pathname))) {
    ctx.report('link-url', at, `link to \`${clip(url)}\`: a mailto link needs an address`);
  }
}

function checkImage(ctx: Context, url: string, alt: string, at: { line: number; column: number }): void {
  if (!alt.trim()) ctx.report('image-alt', at, 'an image needs alt text: `![what it shows](https://…)`');
  const parsed = parseUrl(url);
  if (!parsed || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') || !parsed.hostname) {
    ctx.report('image-url', at, `image at \`${clip(url) || '(nothing)'}\`: images must have an absolute http or https URL`);
  }
}

function parseUrl(url: string): URL | undefined {
  try {
    return new URL(url);
  } catch {
    return undefined;
  }
}

function decodeSafe(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** A source excerpt short enough for a one-line message. */
export function clip(text: string): string {
  const one = text.replace(/\s+/g, ' ').trim();
  return one.length > 60 ? `${one.slice(0, 57)}…` : one;
}

/** `[ref]: url` lines, and `[^1]: note` footnotes when Markdown reads them as such. */
export function reportDefinition(ctx: Context, node: Extract<Nodes, { type: 'definition' }>): void {
  if (node.label?.startsWith('^')) ctx.report('footnote', startOf(node), 'footnotes are not part of the format: put the note in the text');
  else ctx.report('definition', startOf(node), 'link definitions (`[ref]: url`) are not part of the format: write `[text](https://…)`');
}

/**
 * Reports, inside content that is refused as a whole (a blockquote, a table,
 * a nested list), every problem it holds, so that all are fixed in one pass;
 * nested containers are not reported again (`>>>>` is one mistake, not four).
 * Iterative: nesting depth is unbounded in Markdown.
 */
export function scanAll(ctx: Context, nodes: readonly Nodes[]): void {
  const stack: Nodes[] = [...nodes].reverse();
  while (stack.length) {
    const node = stack.pop()!;
    switch (node.type) {
      case 'html':
        ctx.report('raw-html', startOf(node), `raw HTML \`${clip(node.value)}\` is not part of the format`);
        break;
      case 'code':
        ctx.report('code-block', startOf(node), 'code blocks are not part of the format');
        break;
      case 'inlineCode':
        ctx.report('inline-code', startOf(node), 'inline code (`…`) is not part of the format: write the words plainly or in *emphasis*');
        break;
      case 'table':
        ctx.report('table', startOf(node), 'tables are not part of the format: use a list');
        break;
      case 'thematicBreak':
        ctx.report('thematic-break', startOf(node), 'thematic breaks (`---`, `***`) are not part of the format');
        break;
      case 'heading':
        if (node.depth > 2) ctx.report('heading-too-deep', startOf(node), `headings stop at \`##\`; this one is level ${node.depth}`);
        break;
      case 'link':
        checkLink(ctx, node.url, startOf(node));
        break;
      case 'image':
        checkImage(ctx, node.url, node.alt ?? '', startOf(node));
        break;
      case 'linkReference':
      case 'imageReference':
        reportReference(ctx, node);
        break;
      case 'definition':
        reportDefinition(ctx, node);
        break;
      case 'text':
        checkFootnoteMarks(ctx, node.value, spanOf(node).start);
        break;
    }
    if ('children' in node) for (let i = node.children.length - 1; i >= 0; i--) stack.push(node.children[i] as Nodes);
  }
}

/** All the text under a node, iteratively (for content too deep to convert). */
function flatText(node: Nodes): string {
  let out = '';
  const stack: Nodes[] = [node];
  while (stack.length) {
    const n = stack.pop()!;
    if ('value' in n && typeof n.value === 'string' && n.type !== 'html') out += n.value;
    if ('children' in n) for (let i = n.children.length - 1; i >= 0; i--) stack.push(n.children[i] as Nodes);
  }
  return out;
}
