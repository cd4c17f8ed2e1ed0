// Autosaved drafts: the text a person has in the editor and has not saved
// yet, one per person and edition, with the version it started from. A draft
// is not a version (nobody else sees it, it moves nothing); saving a version
// removes the saver's draft in the same transaction (editions.ts).
import { systemClock } from '../clock.ts';
import type { Store } from './db.ts';
import type { Millis } from './schema.ts';
import type { StoreOptions } from './editions.ts';

export interface EditionDraft {
  editionId: number;
  author: string;
  baseVersion: number;
  source: string;
  savedAt: Millis;
}

/** Keeps (or replaces) a person's unsaved text of an edition. */
export async function keepDraft(
  store: Store,
  draft: { editionId: number; author: string; baseVersion: number; source: string },
  options: StoreOptions = {},
): Promise<EditionDraft> {
  const savedAt = (options.clock ?? systemClock).now();
  const row = { edition_id: draft.editionId, author: draft.author, base_version: draft.baseVersion, source: draft.source, saved_at: savedAt };
  await store.db
    .insertInto('edition_drafts')
    .values(row)
    .onConflict((oc) => oc.columns(['edition_id', 'author']).doUpdateSet({ base_version: row.base_version, source: row.source, saved_at: savedAt }))
    .execute();
  return { ...draft, savedAt };
}

/** A person's unsaved text of an edition, if they left one. */
export async function findDraft(store: Store, editionId: number, author: string): Promise<EditionDraft | undefined> {
  const r = await store.db
    .selectFrom('edition_drafts')
    .selectAll()
    .where('edition_id', '=', editionId)
    .where('author', '=', author)
    .executeTakeFirst();
  return r && { editionId: r.edition_id, author: r.author, baseVersion: r.base_version, source: r.source, savedAt: r.saved_at };
}

/** Drops a person's unsaved text of an edition (they chose the saved version instead). */
export async function discardDraft(store: Store, editionId: number, author: string): Promise<void> {
  await store.db.deleteFrom('edition_drafts').where('edition_id', '=', editionId).where('author', '=', author).execute();
}
