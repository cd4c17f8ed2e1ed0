// The Edition model: what Briefing Markdown means, as plain frozen data.
// `edition/` produces it; `render/`, `store/` and `delivery/` only read it.
// Text is kept exactly as the author typed it: typography is applied by the
// renderers for the publication's language, so the model stays faithful to the source.

/** A place in the source file, 1-based line and column, 0-based offset. */
export interface Point {
  line: number;
  column: number;
  offset: number;
}

/** The stretch of source a node came from. */
export interface Span {
  start: Point;
  end: Point;
}

/** Inline content: what a paragraph, a list item, a kicker or a teaser is made of. */
export type Inline =
  | { type: 'text'; value: string; position: Span }
  | { type: 'emphasis'; children: Inline[]; position: Span }
  | { type: 'strong'; children: Inline[]; position: Span }
  | { type: 'link'; url: string; children: Inline[]; position: Span }
  | { type: 'image'; url: string; alt: string; position: Span }
  | { type: 'break'; position: Span };

/** A paragraph; `leadIn` holds the bold words that open it (« **Question de forme.** »), if any. */
export interface Paragraph {
  type: 'paragraph';
  leadIn?: Inline[];
  children: Inline[];
  position: Span;
}

/** One list item; `lead` holds its bold opening (« **16 h** »), if any. */
export interface ListItem {
  lead?: Inline[];
  children: Inline[];
  position: Span;
}

/** A bulleted or numbered list (agenda, people moves, link roundup…). */
export interface List {
  type: 'list';
  ordered: boolean;
  items: ListItem[];
  position: Span;
}

/** Free content of a section, a story or the intro. */
export type Block = Paragraph | List;

/** A story: a kicker (`## Kicker.`), an optional menu teaser, and its text. */
export interface Story {
  /** Stable anchor, unique in the edition (`s1-les-cables-d-abord`), used by the menu links. */
  id: string;
  /** The kicker as typed, without the `##`. */
  kicker: Inline[];
  /** The teaser shown in the menu (`> menu: …`), if the story has one. */
  teaser?: Inline[];
  blocks: Block[];
  position: Span;
}

/** A section (`# Label`): free content, then stories. */
export interface Section {
  /** Stable anchor, unique in the edition (`le-fait-du-jour`). */
  id: string;
  /** The label as typed (« Le fait du jour »); renderers show it in capitals. */
  label: string;
  blocks: Block[];
  stories: Story[];
  position: Span;
}

/** One menu entry: a teaser and the story it links to. */
export interface MenuItem {
  storyId: string;
  teaser: Inline[];
}

/** A whole edition of one publication, for one date. */
export interface Edition {
  /** Slug of the publication (front matter `publication`). */
  publication: string;
  /** Edition date, `YYYY-MM-DD`, in the publication's time zone. */
  date: string;
  /** Lead authors, as written. */
  by: string[];
  /** Contributors, as written. */
  with: string[];
  /** Closing credits, free text (« notre éditrice Lucie Fabre »). */
  thanks?: string;
  /** The email subject as the author set it; see `subjectOf` for the default. */
  subject?: string;
  /** The inbox preview text as the author set it; see `preheaderOf` for the default. */
  preheader?: string;
  /** Free content before the first section, shown after the greeting. */
  intro: Block[];
  sections: Section[];
  /** The menu, in story order: every story that has a teaser. */
  menu: MenuItem[];
}

/**
 * What lint reads when the front matter has errors: the body as parsed and the
 * front-matter values that were valid, so that every problem is reported at
 * once. Without a sure date and publication it is never rendered or sent: the
 * renderers take an `Edition`, which this type is not.
 */
export interface PartialEdition extends Omit<Edition, 'publication' | 'date' | 'by'> {
  publication?: string;
  date?: string;
  by: string[];
}
