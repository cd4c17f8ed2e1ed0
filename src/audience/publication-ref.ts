// What the audience needs to know of a publication: its id, slug, name,
// language and settings (sender, welcome text), and the date of its latest
// published edition for the welcome mail. Read-only; publications and editions are
// written by the store/workflow modules.
import type { Store } from '../store/db.ts';
import type { Language, Publication } from '../edition/publication.ts';
import type { PublicRule } from '../edition/published.ts';
import { editionDatesIn } from '../store/editions.ts';
import { publicationSummaries, type PublicationSummaryRow } from '../store/publications.ts';

export interface PublicationRef {
  id: number;
  slug: string;
  name: string;
  language: Language;
  /** The settings object as stored (may lack optional fields). */
  settings: Partial<Publication>;
}

function toRef(row: PublicationSummaryRow): PublicationRef {
  let settings: Partial<Publication> = {};
  try {
    settings = JSON.parse(row.settings) as Partial<Publication>;
  } catch {
    // A publication with unreadable settings still has a name and a language.
  }
  return { id: row.id, slug: row.slug, name: row.name, language: row.language === 'en' ? 'en' : 'fr', settings };
}

/** The publication with this slug, if any. */
export async function publicationBySlug(store: Store, slug: string): Promise<PublicationRef | undefined> {
  const [row] = await publicationSummaries(store, { slug });
  return row && toRef(row);
}

/** The publication with this id, if any. */
export async function publicationById(store: Store, id: number): Promise<PublicationRef | undefined> {
  const [row] = await publicationSummaries(store, { id });
  return row && toRef(row);
}

/** Every publication, by slug (preferences page). */
export async function allPublications(store: Store): Promise<PublicationRef[]> {
  return (await publicationSummaries(store)).map(toRef);
}

/** Sent or sending editions only: the rule when no other was given (a relay is set). */
export const SENT_EDITIONS: PublicRule = {
  statuses: ['sending', 'sent'],
  isPublic: (edition) => edition.status === 'sending' || edition.status === 'sent',
};

/**
 * The date (`YYYY-MM-DD`) of the publication's latest edition that the public
 * site shows now (so the welcome mail's link opens): sent, or approved and
 * dated today or earlier on the embedded default. Undefined when there is none.
 */
export async function latestPublicEditionDate(store: Store, publication: PublicationRef, rule: PublicRule): Promise<string | undefined> {
  const timezone = publication.settings.timezone ?? 'Europe/Paris';
  // Newest first; editions approved ahead of their date (embargoed) are skipped page by page.
  for (let offset = 0; ; offset += PAGE) {
    const rows = await editionDatesIn(store, publication.id, { statuses: rule.statuses, limit: PAGE, offset });
    const found = rows.find((r) => rule.isPublic(r, { settings: { timezone } }));
    if (found) return found.date;
    if (rows.length < PAGE) return undefined;
  }
}

const PAGE = 20;
