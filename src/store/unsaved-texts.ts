// Unsaved texts: what a person has in the editor and has not saved yet,
// autosaved, one per person and edition, with the version it started from.
// Not a version (nobody else sees it, it moves nothing); saving a version
// removes the saver's unsaved text in the same transaction (editions.ts). The
// table is `edition_drafts` (migration 0006, named before the glossary kept
// « draft » for the edition status).
import { systemClock } from '../clock.ts';
import type { Store } from './db.ts';
import type { Millis } from './schema.ts';
import type { StoreOptions } from './editions.ts';

export interface UnsavedText {
  editionId: number;
  author: string;
  baseVersion: number;
  source: string;
  savedAt: Millis;
}

/** Keeps (or replaces) a person's unsaved text of an edition. */
export async function keepUnsavedText(
  store: Store,
  text: { editionId: number; author: string; baseVersion: number; source: string },
  options: StoreOptions = {},
): Promise<UnsavedText> {
  const savedAt = (options.clock ?? systemClock).now();
  const row = { edition_id: text.editionId, author: text.author, base_version: text.baseVersion, source: text.source, saved_at: savedAt };
  await store.db
    .insertInto('edition_drafts')
    .values(row)
    .onConflict((oc) => oc.columns(['edition_id', 'author']).doUpdateSet({ base_version: row.base_version, source: row.source, saved_at: savedAt }))
    .execute();
  return { ...text, savedAt };
}

/** A person's unsaved text of an edition, if they left one. */
export async function findUnsavedText(store: Store, editionId: number, author: string): Promise<UnsavedText | undefined> {
  const r = await store.db
    .selectFrom('edition_drafts')
    .selectAll()
    .where('edition_id', '=', editionId)
    .where('author', '=', author)
    .executeTakeFirst();
  return r && { editionId: r.edition_id, author: r.author, baseVersion: r.base_version, source: r.source, savedAt: r.saved_at };
}

/** Drops a person's unsaved text of an edition (they chose the saved version instead). */
export async function discardUnsavedText(store: Store, editionId: number, author: string): Promise<void> {
  await store.db.deleteFrom('edition_drafts').where('edition_id', '=', editionId).where('author', '=', author).execute();
}
