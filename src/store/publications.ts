// Publications: their settings (kept whole, as the validated Publication
// object) and their team. Saving a publication replaces its settings and
// brings its team in line with them (people.ts syncTeam: members the settings
// never listed are kept) in one transaction, with an audit entry.
import type { Publication } from '../edition/publication.ts';
import { systemClock, type Clock } from '../clock.ts';
import type { Store } from './db.ts';
import { recordAudit } from './audit-log.ts';
import { syncTeam, teamOf, type Member, type TeamChanges } from './people.ts';
import type { Millis, PublicationRow } from './schema.ts';
import { inTransaction } from './transaction.ts';

export interface StoredPublication {
  id: number;
  settings: Publication;
  team: Member[];
  createdAt: Millis;
  updatedAt: Millis;
}

export interface UpsertResult {
  id: number;
  /** True when the slug was new. */
  created: boolean;
  /** Members not in the settings: those the previous settings listed were removed, the others kept. */
  team: TeamChanges;
}

/** Creates the publication or updates it (by slug), with its team, in one transaction. */
export async function upsertPublication(
  store: Store,
  publication: Publication,
  options: { actor: string; clock?: Clock },
): Promise<UpsertResult> {
  // The schema (zod) loads with the first save, not with every process that only reads publications (a worker).
  const { publicationSchema } = await import('../edition/publication.ts');
  const settings = publicationSchema.parse(publication);
  const at = (options.clock ?? systemClock).now();
  return inTransaction(store, async (tx) => {
    const existing = await tx.db.selectFrom('publications').select(['id', 'settings']).where('slug', '=', settings.slug).executeTakeFirst();
    const previouslyListed = existing ? (JSON.parse(existing.settings) as Publication).team.map((m) => m.email) : [];
    const columns = {
      name: settings.name,
      language: settings.language,
      timezone: settings.timezone,
      schedule: settings.schedule,
      settings: JSON.stringify(settings),
      updated_at: at,
    };
    // ON CONFLICT, not "select then insert": two processes adding the same new slug both succeed.
    const row = await tx.db
      .insertInto('publications')
      .values({ slug: settings.slug, created_at: at, ...columns })
      .onConflict((oc) => oc.column('slug').doUpdateSet(columns))
      .returning('id')
      .executeTakeFirstOrThrow();
    const team = await syncTeam(tx, row.id, settings.team, previouslyListed, at);
    const removed = team.removed.map((m) => ({ email: m.email, role: m.role }));
    await recordAudit(
      tx,
      {
        actor: options.actor,
        action: existing ? 'publication.update' : 'publication.create',
        subjectType: 'publication',
        subjectId: row.id,
        details: { slug: settings.slug, ...(removed.length ? { removedFromTeam: removed } : {}) },
      },
      at,
    );
    return { id: row.id, created: !existing, team };
  });
}

/** True when the database holds at least one publication. */
export async function hasPublications(store: Store): Promise<boolean> {
  return (await store.db.selectFrom('publications').select('id').limit(1).executeTakeFirst()) !== undefined;
}

/** A publication's columns without its team: what a reader's page or mail needs (settings as stored JSON). */
export type PublicationSummaryRow = Pick<PublicationRow, 'id' | 'slug' | 'name' | 'language' | 'settings'>;

/** Publications by slug, or the one of a slug or an id; ordered by slug. */
export async function publicationSummaries(store: Store, filter: { slug?: string; id?: number } = {}): Promise<PublicationSummaryRow[]> {
  let query = store.db.selectFrom('publications').select(['id', 'slug', 'name', 'language', 'settings']);
  if (filter.slug !== undefined) query = query.where('slug', '=', filter.slug);
  if (filter.id !== undefined) query = query.where('id', '=', filter.id);
  return query.orderBy('slug').execute();
}

/** A publication by slug, with its team. */
export async function getPublicationBySlug(store: Store, slug: string): Promise<StoredPublication | undefined> {
  const row = await store.db.selectFrom('publications').selectAll().where('slug', '=', slug).executeTakeFirst();
  return row && stored(store, row);
}

/** A publication by id, with its team. */
export async function getPublication(store: Store, id: number): Promise<StoredPublication | undefined> {
  const row = await store.db.selectFrom('publications').selectAll().where('id', '=', id).executeTakeFirst();
  return row && stored(store, row);
}

/** Every publication, by slug, with its team. */
export async function listPublications(store: Store): Promise<StoredPublication[]> {
  const rows = await store.db.selectFrom('publications').selectAll().orderBy('slug').execute();
  return Promise.all(rows.map((row) => stored(store, row)));
}

async function stored(store: Store, row: PublicationRow): Promise<StoredPublication> {
  return {
    id: row.id,
    settings: JSON.parse(row.settings) as Publication,
    team: await teamOf(store, row.id),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
