// Small builders for hand-made editions and publications in render tests.
import type { Block, Edition, Inline, List, Paragraph, Section, Story } from '../../src/edition/model.ts';
import type { Publication } from '../../src/edition/publication.ts';

const at = { start: { line: 1, column: 1, offset: 0 }, end: { line: 1, column: 1, offset: 0 } };

export const text = (value: string): Inline => ({ type: 'text', value, position: at });
export const em = (...children: Inline[]): Inline => ({ type: 'emphasis', children, position: at });
export const strong = (...children: Inline[]): Inline => ({ type: 'strong', children, position: at });
export const link = (url: string, label: string): Inline => ({ type: 'link', url, children: [text(label)], position: at });
export const image = (url: string, alt: string): Inline => ({ type: 'image', url, alt, position: at });

/** A paragraph from inlines (strings become text); `leadIn` opens it in bold. */
export function paragraph(content: Array<string | Inline>, leadIn?: string): Paragraph {
  return {
    type: 'paragraph',
    ...(leadIn ? { leadIn: [text(leadIn)] } : {}),
    children: content.map((c) => (typeof c === 'string' ? text(c) : c)),
    position: at,
  };
}

/** A bulleted list; an item given as [lead, rest] opens with a bold lead. */
export function list(items: Array<Array<string | Inline> | { lead: string; content: Array<string | Inline> }>): List {
  return {
    type: 'list',
    ordered: false,
    items: items.map((item) =>
      Array.isArray(item)
        ? { children: item.map((c) => (typeof c === 'string' ? text(c) : c)), position: at }
        : {
            lead: [text(item.lead)],
            children: item.content.map((c) => (typeof c === 'string' ? text(c) : c)),
            position: at,
          },
    ),
    position: at,
  };
}

export function story(id: string, kicker: string, blocks: Block[], teaser?: string): Story {
  return { id, kicker: [text(kicker)], ...(teaser ? { teaser: [text(teaser)] } : {}), blocks, position: at };
}

export function section(id: string, label: string, stories: Story[], blocks: Block[] = []): Section {
  return { id, label, blocks, stories, position: at };
}

/** An edition; the menu is derived from the stories' teasers, as the parser does. */
export function edition(overrides: Partial<Edition> = {}): Edition {
  const sections = overrides.sections ?? [
    section('le-fait-du-jour', 'Le fait du jour', [
      story(
        's1-les-cables-d-abord',
        "Les câbles d'abord.",
        [
          paragraph(['Le gouvernement présente ce matin son plan, a appris votre infolettre.']),
          paragraph(['Les derniers foyers seront raccordés, selon ', link('https://example.org/plan', 'le ministère'), '.'], "Ce qu'on sait."),
        ],
        'Réseaux : le plan fibre entre dans sa dernière ligne droite.',
      ),
    ]),
    section('ordre-du-jour', 'Ordre du jour', [], [list([{ lead: '9 h 30', content: ['Audition au Sénat.'] }])]),
  ];
  const menu = sections.flatMap((s) => s.stories.filter((st) => st.teaser).map((st) => ({ storyId: st.id, teaser: st.teaser! })));
  return {
    publication: 'tech-matin',
    date: '2026-03-02',
    by: ['Jeanne Moreau'],
    with: ['Paul Girard', 'Inès Haddad'],
    thanks: 'notre éditrice Lucie Fabre',
    intro: [],
    ...overrides,
    sections,
    menu: overrides.menu ?? menu,
  };
}

export function publication(overrides: Partial<Publication> = {}): Publication {
  return {
    slug: 'tech-matin',
    name: 'Tech Matin',
    language: 'fr',
    timezone: 'Europe/Paris',
    schedule: '0 6 * * 1-5',
    from: 'Tech Matin <techmatin@example.org>',
    address: '12 rue Exemple, 75002 Paris',
    team: [
      { name: 'Jeanne Moreau', email: 'jeanne.moreau@example.org', role: 'author' },
      { name: 'Lucie Fabre', email: 'lucie.fabre@example.org', role: 'editor' },
    ],
    ...overrides,
  };
}

export const OPTIONS = { publicUrl: 'https://news.example.org' };
