// What the audience needs to know of a publication: its id, slug, name,
// language and settings (sender, welcome text), and the date of its latest
// sent edition for the welcome mail. Read-only; publications and editions are
// written by the store/workflow modules.
import type { Store } from '../store/db.ts';
import type { Language, Publication } from '../edition/publication.ts';

export interface PublicationRef {
  id: number;
  slug: string;
  name: string;
  language: Language;
  /** The settings object as stored (may lack optional fields). */
  settings: Partial<Publication>;
}

function toRef(row: { id: number; slug: string; name: string; language: string; settings: string }): PublicationRef {
  let settings: Partial<Publication> = {};
  try {
    settings = JSON.parse(row.settings) as Partial<Publication>;
  } catch {
    // A publication with unreadable settings still has a name and a language.
  }
  return { id: row.id, slug: row.slug, name: row.name, language: row.language === 'en' ? 'en' : 'fr', settings };
}

const COLUMNS = ['id', 'slug', 'name', 'language', 'settings'] as const;

/** The publication with this slug, if any. */
export async function publicationBySlug(store: Store, slug: string): Promise<PublicationRef | undefined> {
  const row = await store.db.selectFrom('publications').select(COLUMNS).where('slug', '=', slug).executeTakeFirst();
  return row && toRef(row);
}

/** The publication with this id, if any. */
export async function publicationById(store: Store, id: number): Promise<PublicationRef | undefined> {
  const row = await store.db.selectFrom('publications').select(COLUMNS).where('id', '=', id).executeTakeFirst();
  return row && toRef(row);
}

/** Every publication, by slug (preferences page). */
export async function allPublications(store: Store): Promise<PublicationRef[]> {
  const rows = await store.db.selectFrom('publications').select(COLUMNS).orderBy('slug').execute();
  return rows.map(toRef);
}

/** The date (`YYYY-MM-DD`) of the publication's latest sent edition, if one was sent. */
export async function latestSentEditionDate(store: Store, publicationId: number): Promise<string | undefined> {
  const row = await store.db
    .selectFrom('editions')
    .select('date')
    .where('publication_id', '=', publicationId)
    .where('status', '=', 'sent')
    .orderBy('date', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row?.date;
}
