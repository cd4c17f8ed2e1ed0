// Small builders for newsroom test data: a publication with a team of three.
import type { Publication } from '../../src/edition/publication.ts';

/** A valid publication; pass only what a test cares about. */
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
      { name: 'Jeanne Moreau', email: 'jeanne@example.org', role: 'author' },
      { name: 'Lucie Fabre', email: 'lucie@example.org', role: 'editor' },
      { name: 'Ada Admin', email: 'ada@example.org', role: 'admin' },
    ],
    ...overrides,
  };
}

export const AUTHOR = { kind: 'person', email: 'jeanne@example.org' } as const;
export const EDITOR = { kind: 'person', email: 'lucie@example.org' } as const;
export const ADMIN = { kind: 'person', email: 'ada@example.org' } as const;
export const SYSTEM = { kind: 'system', name: 'scheduler' } as const;

/** A short edition source for a date, with a marker line to tell versions apart. */
export function editionSource(date: string, line = 'Première version.'): string {
  return `---\npublication: tech-matin\ndate: ${date}\nby: Jeanne Moreau\n---\n\n# Le fait du jour\n\n## Les câbles d'abord.\n\n${line}\n`;
}
