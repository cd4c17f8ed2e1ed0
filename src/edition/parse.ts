// Briefing Markdown → Edition (BRIEFING-MARKDOWN.md). Markdown is read by
// mdast (micromark, with positions); this module checks every rule of the
// format on that tree and builds the frozen Edition model. It never throws on
// content: each problem becomes a diagnostic at its line and column, all at once.
import { fromMarkdown } from 'mdast-util-from-markdown';
import { frontmatter } from 'micromark-extension-frontmatter';
import { frontmatterFromMarkdown } from 'mdast-util-frontmatter';
import { gfmTable } from 'micromark-extension-gfm-table';
import { gfmTableFromMarkdown } from 'mdast-util-gfm-table';
import type { Nodes, Root, RootContent, PhrasingContent, Paragraph as MdParagraph, List as MdList, Blockquote } from 'mdast';
import type { Diagnostic } from './diagnostic.ts';
import type { Block, Edition, Inline, List, ListItem, MenuItem, Paragraph, PartialEdition, Section, Story } from './model.ts';
import type { Publication } from './publication.ts';
import { parseFrontMatter } from './front-matter.ts';
import type { FrontMatter } from './front-matter.ts';
import { plainText } from './inline-text.ts';
import { slugify, uniqueSlug } from './slug.ts';
import { deepFreeze } from './deep-freeze.ts';
import { Context, NO_POINT, advance, spanOf, startOf } from './parse-context.ts';
import { clip, readInlines, reportDefinition, scanAll } from './parse-inline.ts';

export interface ParseOptions {
  /** The file name diagnostics carry (as the user named it). */
  file: string;
  /** The publication's settings, when known: the front matter must name it. */
  publication?: Publication;
}

export interface ParseResult {
  /**
   * The edition, deep-frozen, whenever the front matter gives its publication,
   * date and lead authors (even if the body has errors, so that a preview can
   * show it beside them). Check `hasErrors(diagnostics)` before sending.
   */
  edition?: Edition;
  /**
   * The body and the front-matter values that were valid, whenever the source
   * was read, even when the front matter is broken: for lint only (the
   * edition itself when there is one). Never render or send it.
   */
  partial?: PartialEdition;
  diagnostics: Diagnostic[];
}

/**
 * The largest source parsed, in UTF-16 code units: some Markdown is slow to read
 * (thousands of unmatched `*` or `[` take seconds), and the live preview parses
 * on every keystroke. A real edition of 1,500 words is about 10,000.
 */
export const MAX_SOURCE_LENGTH = 256 * 1024;

/** Parses and validates one edition's source; every problem is a diagnostic, sorted by place. */
export function parseEdition(source: string, options: ParseOptions): ParseResult {
  // Positions are counted without a leading byte-order mark, as micromark does.
  const text = source.charCodeAt(0) === 0xfeff ? source.slice(1) : source;
  const ctx = new Context(options.file, text);
  if (text.length > MAX_SOURCE_LENGTH) {
    ctx.report('edition-too-large', { line: 1, column: 1 }, `the edition is ${text.length} characters long; the limit is ${MAX_SOURCE_LENGTH}`);
    return { diagnostics: ctx.finish() };
  }
  const tree = fromMarkdown(text, {
    extensions: [frontmatter(['yaml']), gfmTable()],
    mdastExtensions: [frontmatterFromMarkdown(['yaml']), gfmTableFromMarkdown()],
  });

  let front: FrontMatter | undefined;
  let body = tree.children;
  const first = body[0];
  if (first?.type === 'yaml') {
    const parsed = parseFrontMatter(
      first.value,
      { line: (first.position?.start.line ?? 1) + 1, column: 1 },
      options.file,
      // Missing keys are reported at the closing `---`, where they are to be added.
      { line: first.position?.end.line ?? 1, column: 1 },
    );
    front = parsed.data;
    ctx.diagnostics.push(...parsed.diagnostics);
    body = body.slice(1);
  } else if (/^---[ \t]*(?:\r?\n|\r|$)/.test(text)) {
    ctx.report('front-matter-unclosed', { line: 1, column: 1 }, 'the front matter opened here is never closed by a `---` line');
    // The opening `---` is read as a thematic break: it is the same mistake, reported once.
    if (first?.type === 'thematicBreak') body = body.slice(1);
  } else {
    ctx.report('front-matter-missing', { line: 1, column: 1 }, 'an edition opens with a front matter: `---`, publication, date, by, `---`');
  }

  const { intro, sections } = readBody(ctx, tree, body);

  if (front?.publication && options.publication && front.publication !== options.publication.slug) {
    ctx.report(
      'publication-mismatch',
      front.places.publication,
      `the edition is for \`${front.publication}\` but the publication settings are for \`${options.publication.slug}\``,
    );
  }

  const menu: MenuItem[] = [];
  for (const section of sections) {
    for (const story of section.stories) if (story.teaser) menu.push({ storyId: story.id, teaser: story.teaser });
  }
  const partial: PartialEdition = deepFreeze({
    ...(front?.publication !== undefined ? { publication: front.publication } : {}),
    ...(front?.date !== undefined ? { date: front.date } : {}),
    by: front?.by ?? [],
    with: front?.with ?? [],
    ...(front?.thanks !== undefined ? { thanks: front.thanks } : {}),
    ...(front?.subject !== undefined ? { subject: front.subject } : {}),
    ...(front?.preheader !== undefined ? { preheader: front.preheader } : {}),
    intro,
    sections,
    menu,
  });
  const edition = isWhole(partial) ? partial : undefined;
  return { edition, partial, diagnostics: ctx.finish() };
}

/** An edition whose front matter gave its publication, date and lead authors. */
function isWhole(partial: PartialEdition): partial is Edition {
  return Boolean(partial.publication && partial.date && partial.by.length);
}

interface OpenStory extends Story {
  blocks: Block[];
}

interface OpenSection extends Section {
  blocks: Block[];
  stories: OpenStory[];
}

/** Walks the top-level blocks: intro, then `#` sections holding free content and `##` stories. */
function readBody(ctx: Context, tree: Root, body: RootContent[]): { intro: Block[]; sections: Section[] } {
  const intro: Block[] = [];
  const sections: OpenSection[] = [];
  const ids = new Set<string>();
  let section: OpenSection | undefined;
  let story: OpenStory | undefined;
  // A story written before any section: its content is checked but belongs nowhere.
  let orphan = false;
  let storyCount = 0;
  // The story whose kicker is the block just before this one (where `> menu:` belongs).
  let justUnderKicker: OpenStory | undefined;

  const container = (): Block[] => (orphan ? [] : (story?.blocks ?? section?.blocks ?? intro));
  const extend = (node: Nodes) => {
    const end = spanOf(node).end;
    if (story && !orphan) story.position = { start: story.position.start, end };
    if (section) section.position = { start: section.position.start, end };
  };

  for (const node of body) {
    const underKicker = justUnderKicker;
    justUnderKicker = undefined;
    switch (node.type) {
      case 'heading': {
        if (node.depth === 1) {
          const label = plainText(readInlines(ctx, node.children));
          if (!label) ctx.report('heading-empty', startOf(node), 'a section needs a label after `#`');
          section = {
            id: uniqueSlug(slugify(label) || 'section', ids),
            label,
            blocks: [],
            stories: [],
            position: spanOf(node),
          };
          sections.push(section);
          story = undefined;
          orphan = false;
        } else if (node.depth === 2) {
          const kicker = readInlines(ctx, node.children);
          if (!plainText(kicker)) ctx.report('heading-empty', startOf(node), 'a story needs a kicker after `##`');
          storyCount++;
          const base = slugify(plainText(kicker));
          story = {
            id: uniqueSlug(base ? `s${storyCount}-${base}` : `s${storyCount}`, ids),
            kicker,
            blocks: [],
            position: spanOf(node),
          };
          if (section) {
            section.stories.push(story);
            orphan = false;
          } else {
            ctx.report('story-outside-section', startOf(node), 'a `##` story must be inside a `#` section: add a section label above it');
            orphan = true;
          }
          justUnderKicker = story;
        } else {
          ctx.report(
            'heading-too-deep',
            startOf(node),
            `headings stop at \`##\` (a story's kicker); this one is level ${node.depth}: make it a lead-in (**Words.**) instead`,
          );
          scanAll(ctx, node.children);
        }
        break;
      }
      case 'blockquote':
        readBlockquote(ctx, node, underKicker);
        break;
      case 'paragraph':
        checkLookalikes(ctx, node, underKicker !== undefined);
        container().push(readParagraph(ctx, node));
        break;
      case 'list': {
        const list = readList(ctx, node);
        if (list) container().push(list);
        break;
      }
      default:
        reportForeign(ctx, node);
        continue;
    }
    extend(node);
  }

  for (const s of sections) {
    if (s.blocks.length === 0 && s.stories.length === 0) {
      ctx.report('section-empty', s.position.start, `section « ${s.label} » has neither text nor stories`);
    }
    for (const st of s.stories) {
      if (st.blocks.length === 0) ctx.report('story-empty', st.position.start, `story « ${plainText(st.kicker)} » has no text under its kicker`);
    }
  }
  if (sections.length === 0) {
    const at = tree.position?.end ?? NO_POINT;
    ctx.report('edition-empty', body.length ? startOf(body[0]!) : { line: Math.max(1, at.line), column: 1 }, 'the edition has no `#` section');
  }
  // Rebuilt with one key order (teaser before blocks), so that JSON output reads like the source.
  const finished = sections.map(
    (s): Section => ({
      id: s.id,
      label: s.label,
      blocks: s.blocks,
      stories: s.stories.map(
        (st): Story => ({ id: st.id, kicker: st.kicker, ...(st.teaser ? { teaser: st.teaser } : {}), blocks: st.blocks, position: st.position }),
      ),
      position: s.position,
    }),
  );
  return { intro, sections: finished };
}

/** `> menu: teaser` under a kicker; any other blockquote is an error. */
function readBlockquote(ctx: Context, node: Blockquote, underKicker: OpenStory | undefined): void {
  const first = node.children[0];
  const lead = first?.type === 'paragraph' ? first.children[0] : undefined;
  const menu = lead?.type === 'text' ? /^\s*menu\s*:\s*/i.exec(lead.value) : null;
  if (!first || first.type !== 'paragraph' || !lead || lead.type !== 'text' || !menu) {
    ctx.report('blockquote', startOf(node), 'blockquotes are not part of the format (only `> menu: teaser` under a kicker)');
    scanAll(ctx, node.children);
    return;
  }
  for (let n = first.position?.start.line ?? 0; n <= (first.position?.end.line ?? 0); n++) {
    if (!/^[ \t]*>/.test(ctx.line(n))) {
      ctx.report('teaser-lazy-line', { line: n, column: 1 }, 'this line is joined to the teaser above: leave a blank line after `> menu:`');
    }
  }
  if (node.children.length > 1) {
    ctx.report('teaser-extra-content', startOf(node.children[1]!), 'a `> menu:` blockquote holds the teaser only, in one paragraph');
    scanAll(ctx, node.children.slice(1));
  }
  const rest = lead.value.slice(menu[0].length);
  const leadSpan = spanOf(lead);
  const children: PhrasingContent[] = [...first.children.slice(1)];
  const inlines = readInlines(ctx, children);
  const teaser: Inline[] = rest
    ? [{ type: 'text', value: rest, position: { start: advance(leadSpan.start, lead.value.slice(0, menu[0].length)), end: leadSpan.end } }, ...inlines]
    : inlines;
  if (!underKicker) {
    ctx.report('menu-misplaced', startOf(node), '`> menu:` gives a story its teaser: put it on the line right under the `##` kicker');
    return;
  }
  if (!plainText(teaser)) {
    ctx.report('teaser-empty', startOf(node), '`> menu:` without a teaser: write the line the menu shows, or remove it');
    return;
  }
  underKicker.teaser = teaser;
}

/** Paragraphs that look like a heading or a teaser the author meant to write. */
function checkLookalikes(ctx: Context, node: MdParagraph, underKicker: boolean): void {
  const lead = node.children[0];
  if (lead?.type !== 'text') return;
  if (underKicker && /^menu\s*:/i.test(lead.value)) {
    ctx.report('menu-not-quoted', startOf(node), 'this reads as story text: write the teaser as `> menu: …`');
  } else if (node.position?.start.line === node.position?.end.line && /^#{1,6}[^\s#]/.test(lead.value)) {
    ctx.report('heading-no-space', startOf(node), `\`${clip(lead.value.split(/\s/)[0]!)}\` is not a heading: put a space after the \`#\``);
  }
}

/** A paragraph; a `**Bold words.**` opening followed by text becomes its lead-in. */
function readParagraph(ctx: Context, node: MdParagraph): Paragraph {
  const inlines = readInlines(ctx, node.children);
  const { lead, rest } = splitLead(inlines);
  return lead ? { type: 'paragraph', leadIn: lead, children: rest, position: spanOf(node) } : { type: 'paragraph', children: inlines, position: spanOf(node) };
}

/**
 * Splits a bold opening off inline content when text follows it after white
 * space: `**Dana Brooks**, of the Treasury` is bold words, not a lead, since
 * renderers put a space after a lead.
 */
function splitLead(inlines: Inline[]): { lead?: Inline[]; rest: Inline[] } {
  const first = inlines[0];
  const next = inlines[1];
  if (first?.type !== 'strong') return { rest: inlines };
  if (!(next?.type === 'break' || (next?.type === 'text' && /^\s/.test(next.value)))) return { rest: inlines };
  const rest = trimStart(inlines.slice(1));
  if (rest.length === 0 || !plainText(rest)) return { rest: inlines };
  return { lead: first.children, rest };
}

/** Drops the white space between a lead and its text (renderers put their own). */
function trimStart(inlines: Inline[]): Inline[] {
  const first = inlines[0];
  if (first?.type === 'break') return trimStart(inlines.slice(1));
  if (first?.type !== 'text') return inlines;
  const spaces = /^\s*/.exec(first.value)![0];
  if (!spaces) return inlines;
  if (spaces === first.value) return trimStart(inlines.slice(1));
  return [
    { type: 'text', value: first.value.slice(spaces.length), position: { start: advance(first.position.start, spaces), end: first.position.end } },
    ...inlines.slice(1),
  ];
}

/** A list; each item holds one paragraph, whose bold opening becomes the item's lead. */
function readList(ctx: Context, node: MdList): List | undefined {
  const items: ListItem[] = [];
  for (const item of node.children) {
    const [first, ...more] = item.children;
    if (!first) {
      ctx.report('list-item-empty', startOf(item), 'an empty list item: write its text or remove the line');
      continue;
    }
    if (more.length > 0) {
      ctx.report('list-item-complex', startOf(more[0]!), 'a list item holds one paragraph: no nested list, no second paragraph');
      scanAll(ctx, more);
    }
    if (first.type !== 'paragraph') {
      ctx.report('list-item-complex', startOf(first), 'a list item holds one paragraph of text');
      scanAll(ctx, [first]);
      continue;
    }
    const inlines = readInlines(ctx, first.children);
    if (!plainText(inlines) && !inlines.some((i) => i.type === 'image')) {
      ctx.report('list-item-empty', startOf(item), 'an empty list item: write its text or remove the line');
      continue;
    }
    const { lead, rest } = splitLead(inlines);
    items.push(lead ? { lead, children: rest, position: spanOf(item) } : { children: inlines, position: spanOf(item) });
  }
  return items.length ? { type: 'list', ordered: node.ordered === true, items, position: spanOf(node) } : undefined;
}

/** Top-level blocks the format refuses. */
function reportForeign(ctx: Context, node: RootContent): void {
  switch (node.type) {
    case 'code':
      ctx.report('code-block', startOf(node), 'code blocks are not part of the format');
      break;
    case 'table':
      ctx.report('table', startOf(node), 'tables are not part of the format: use a list');
      scanAll(ctx, node.children);
      break;
    case 'thematicBreak':
      ctx.report('thematic-break', startOf(node), 'thematic breaks (`---`, `***`) are not part of the format: sections and stories do the separating');
      break;
    case 'html':
      ctx.report('raw-html', startOf(node), `raw HTML \`${clip(node.value)}\` is not part of the format`);
      break;
    case 'definition':
      reportDefinition(ctx, node);
      break;
    case 'yaml':
      // A second front matter cannot happen (only the first lines can be one); nothing to say.
      break;
    default:
      scanAll(ctx, [node]);
  }
}

