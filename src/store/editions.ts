// Editions, their versions and their moves through the workflow. Every write
// here is one transaction: a save stores the version, bumps the edition and,
// when it must, sends an approved edition back to ready, all or nothing. Every
// move is a guarded update (`… WHERE id = ? AND status = <state read>`): when
// two people make the same move at once, the second finds zero rows updated
// and is refused with the state the first one left.
import { systemClock, type Clock } from '../clock.ts';
import { subjectOf } from '../edition/inline-text.ts';
import type { Publication } from '../edition/publication.ts';
import { recordApprovedWords } from './learned-words.ts';
import { indexEdition } from './edition-search.ts';
import type { Store } from './db.ts';
import { recordAudit } from './audit-log.ts';
import {
  actorName,
  approvalOutdated,
  checkMove,
  LOCKED_STATUSES,
  REAPPROVE_STATUSES,
  versionConflict,
  WorkflowError,
  type Actor,
  type ActorRole,
} from '../edition/workflow.ts';
import { roleOf } from './people.ts';
import type { EditionRow, EditionStatus, Millis } from './schema.ts';
import { inTransaction } from './transaction.ts';

export interface EditionRecord {
  id: number;
  publicationId: number;
  /** `YYYY-MM-DD`, in the publication's time zone. */
  date: string;
  status: EditionStatus;
  currentVersion: number;
  subject: string | null;
  createdAt: Millis;
  updatedAt: Millis;
}

export interface EditionVersion {
  editionId: number;
  number: number;
  source: string;
  author: string;
  createdAt: Millis;
}

export interface EditionTransition {
  from: EditionStatus;
  to: EditionStatus;
  actor: string;
  at: Millis;
}

export interface SaveEditionInput {
  publicationId: number;
  date: string;
  /** The Briefing Markdown source, exactly as written. */
  source: string;
  /** Who saves it (a person's address or name). */
  author: string;
  /**
   * Kept as the subject only when the source does not parse into an edition
   * (a draft whose front matter is broken). Otherwise the subject is always
   * the source's own (`subjectOf`), so that no caller can store another one.
   */
  subject?: string | null;
  /**
   * The version this text started from (the one the person's editor showed).
   * When the edition has a newer one, nothing is saved: `version-conflict`.
   * Absent: saved on top of the latest, whatever it is (a file saved from the
   * command line, which replaces the edition's text by design).
   */
  baseVersion?: number;
}

export interface SaveResult {
  editionId: number;
  /** The number of the version just saved (1 for a new edition). */
  version: number;
  /** True when the edition did not exist before. */
  created: boolean;
  /** The edition's state after the save. */
  status: EditionStatus;
  /** The state before, when the save sent an approved or scheduled edition back to ready. */
  sentBackFrom?: EditionStatus;
  /** True when the source was byte for byte the current version's: nothing was saved, `version` is that version. */
  unchanged?: true;
}

export interface StoreOptions {
  clock?: Clock;
}

export interface TransitionOptions extends StoreOptions {
  /**
   * The version the actor reviewed: the move happens only while it is still
   * the latest (`approval-outdated` otherwise). The dashboard's approval names it.
   */
  version?: number;
}

/**
 * Saves a version of the edition of (publication, date): creates the edition
 * (draft, version 1) or adds the next version; an approved or scheduled
 * edition goes back to ready; a sending or sent one is refused (`edition-locked`).
 * A source identical to the current version's saves nothing and changes no
 * state: the result is that version, `unchanged`.
 */
export async function saveEdition(store: Store, input: SaveEditionInput, options: StoreOptions = {}): Promise<SaveResult> {
  const at = (options.clock ?? systemClock).now();
  // Parsed before the transaction: the write lock is not held while Markdown is read.
  const read = await readSource(input.source);
  const subject = read?.subject ?? input.subject ?? null;
  // The archive search's words of this version, indexed with it, so that a search never indexes in its request.
  // Every version is indexed, drafts too: the search finds only the editions its caller says are public.
  const words = read?.words;
  return inTransaction(store, async (tx) => {
    // ON CONFLICT DO NOTHING: a concurrent first save of the same date is not an error, it becomes version 2.
    const inserted = await tx.db
      .insertInto('editions')
      .values({
        publication_id: input.publicationId,
        date: input.date,
        status: 'draft',
        current_version: 0,
        subject,
        created_at: at,
        updated_at: at,
      })
      .onConflict((oc) => oc.columns(['publication_id', 'date']).doNothing())
      .returning('id')
      .executeTakeFirst();

    if (!inserted) {
      // Saving what is already the current version would make a version equal
      // to the last and send an approved edition back to ready for nothing.
      // Read after the insert: on PostgreSQL a concurrent first save has committed by then.
      const current = await tx.db
        .selectFrom('editions')
        .innerJoin('edition_versions', (join) =>
          join.onRef('edition_versions.edition_id', '=', 'editions.id').onRef('edition_versions.number', '=', 'editions.current_version'),
        )
        .select(['editions.id', 'editions.status', 'editions.current_version', 'editions.subject', 'edition_versions.source'])
        .where('editions.publication_id', '=', input.publicationId)
        .where('editions.date', '=', input.date)
        .executeTakeFirst();
      if (current && current.source === input.source) {
        // The subject is derived from the source: one stored by an older caller is brought in line.
        if (current.subject !== subject) await tx.db.updateTable('editions').set({ subject }).where('id', '=', current.id).execute();
        return { editionId: current.id, version: current.current_version, created: false, status: current.status, unchanged: true };
      }
    }

    // Bumping the counter locks the row (PostgreSQL) until commit: concurrent saves get distinct numbers.
    // With a base version, the bump is also the check that nobody saved since:
    // of two saves from the same version, the second finds zero rows.
    let bump = tx.db
      .updateTable('editions')
      .set((eb) => ({ current_version: eb('current_version', '+', 1), updated_at: at, subject }))
      .where('publication_id', '=', input.publicationId)
      .where('date', '=', input.date)
      .where('status', 'not in', LOCKED_STATUSES);
    if (input.baseVersion !== undefined && !inserted) bump = bump.where('current_version', '=', input.baseVersion);
    const bumped = await bump.returning(['id', 'current_version', 'status']).executeTakeFirst();
    if (!bumped) {
      const row = await tx.db
        .selectFrom('editions')
        .select(['id', 'status', 'current_version'])
        .where('publication_id', '=', input.publicationId)
        .where('date', '=', input.date)
        .executeTakeFirstOrThrow();
      if (!LOCKED_STATUSES.includes(row.status) && input.baseVersion !== undefined) {
        throw versionConflict(row.id, input.baseVersion, row.current_version);
      }
      throw new WorkflowError(
        'edition-locked',
        { editionId: row.id, current: row.status },
        `edition ${row.id} is ${row.status}: it can no longer be edited`,
      );
    }

    await tx.db
      .insertInto('edition_versions')
      .values({ edition_id: bumped.id, number: bumped.current_version, source: input.source, author: input.author, created_at: at })
      .execute();
    if (words) {
      const publication = await tx.db.selectFrom('publications').select('language').where('id', '=', input.publicationId).executeTakeFirstOrThrow();
      await indexEdition(tx, { editionId: bumped.id, publicationId: input.publicationId, version: bumped.current_version, language: publication.language, ...words });
    }
    // The person's autosaved text is now a version: nothing left unsaved.
    await tx.db.deleteFrom('edition_drafts').where('edition_id', '=', bumped.id).where('author', '=', input.author).execute();

    const result: SaveResult = { editionId: bumped.id, version: bumped.current_version, created: inserted !== undefined, status: bumped.status };
    if (REAPPROVE_STATUSES.includes(bumped.status)) {
      await tx.db.updateTable('editions').set({ status: 'ready' }).where('id', '=', bumped.id).execute();
      await recordTransition(tx, bumped.id, bumped.status, 'ready', input.author, at, bumped.current_version);
      result.status = 'ready';
      result.sentBackFrom = bumped.status;
    }
    await recordAudit(
      tx,
      { actor: input.author, action: 'edition.save', subjectType: 'edition', subjectId: bumped.id, details: { version: bumped.current_version } },
      at,
    );
    return result;
  });
}

/**
 * Moves an edition to `to` on behalf of `actor`, if the workflow
 * (edition/workflow.ts `checkMove`) allows that move from the edition's state
 * and for the actor's role in its publication; otherwise throws its
 * WorkflowError and changes nothing.
 */
export async function transitionEdition(
  store: Store,
  editionId: number,
  to: EditionStatus,
  actor: Actor,
  options: TransitionOptions = {},
): Promise<EditionTransition> {
  const at = (options.clock ?? systemClock).now();
  const who = actorName(actor);
  return inTransaction(store, async (tx) => {
    const edition = await tx.db
      .selectFrom('editions')
      .select(['id', 'publication_id', 'status', 'current_version'])
      .where('id', '=', editionId)
      .executeTakeFirst();
    if (!edition) throw new WorkflowError('edition-not-found', { editionId, requested: to, actor: who }, `no edition ${editionId}`);
    const from = edition.status;
    const role: ActorRole | undefined = actor.kind === 'system' ? 'system' : await roleOf(tx, edition.publication_id, actor.email);
    const refused = checkMove({ editionId, from, to, actor, role });
    if (refused) throw refused;

    if (options.version !== undefined && options.version !== edition.current_version) {
      throw approvalOutdated(editionId, options.version, edition.current_version);
    }

    let update = tx.db.updateTable('editions').set({ status: to, updated_at: at }).where('id', '=', editionId).where('status', '=', from);
    // A save between our read and our update (PostgreSQL, READ COMMITTED) leaves the status but not the version.
    if (options.version !== undefined) update = update.where('current_version', '=', options.version);
    const updated = await update.returning('current_version').executeTakeFirst();
    if (!updated) {
      // Someone else moved it, or saved a version, between our read and our update (PostgreSQL, READ COMMITTED).
      const now = await tx.db.selectFrom('editions').select(['status', 'current_version']).where('id', '=', editionId).executeTakeFirst();
      if (now && options.version !== undefined && now.current_version !== options.version) {
        throw approvalOutdated(editionId, options.version, now.current_version);
      }
      throw new WorkflowError(
        'wrong-state',
        { editionId, current: now?.status, requested: to, actor: who },
        `edition ${editionId} was just moved to ${now?.status ?? 'nowhere'} by someone else: ${to} refused`,
      );
    }
    await recordTransition(tx, editionId, from, to, who, at, updated.current_version);
    if (to === 'approved') await learnFromApproval(tx, edition.publication_id, editionId, updated.current_version, who, at);
    return { from, to, actor: who, at };
  });
}

// The approved version's unknown words count towards the publication's learned
// word list (edition/learned-words.ts), in the approval's own transaction: an
// approval that fails teaches nothing, and approving the same edition again
// counts it once.
async function learnFromApproval(tx: Store, publicationId: number, editionId: number, version: number, by: string, at: Millis): Promise<void> {
  const row = await tx.db.selectFrom('publications').select('settings').where('id', '=', publicationId).executeTakeFirst();
  const source = await tx.db.selectFrom('edition_versions').select('source').where('edition_id', '=', editionId).where('number', '=', version).executeTakeFirst();
  if (!row || !source) return;
  // Loaded on the first approval only: the parser and the dictionaries stay out of a worker's start.
  const { unknownWordsOf } = await import('../edition/unknown-words.ts');
  const words = await unknownWordsOf(source.source, JSON.parse(row.settings) as Publication);
  await recordApprovedWords(tx, { publicationId, editionId, words, by, at });
}

async function recordTransition(
  tx: Store,
  editionId: number,
  from: EditionStatus,
  to: EditionStatus,
  actor: string,
  at: Millis,
  version: number,
): Promise<void> {
  await tx.db.insertInto('edition_transitions').values({ edition_id: editionId, from_status: from, to_status: to, actor, at, version }).execute();
  await recordAudit(tx, { actor, action: 'edition.transition', subjectType: 'edition', subjectId: editionId, details: { from, to } }, at);
}

// The subject shown in the dashboard and `edition list` (the email's: plain
// text, before typesetting) and the archive search's words of a source, or
// undefined when the source is not an edition. The parser loads on the first
// save, not with the store: a worker or a command that never saves does not
// pay for micromark (src/cli/README.md).
async function readSource(source: string): Promise<{ subject: string; words: { subject: string; body: string } } | undefined> {
  const [{ parseEdition }, { searchText }] = await Promise.all([import('../edition/parse.ts'), import('../edition/search-text.ts')]);
  const { edition } = parseEdition(source, { file: 'edition.md' });
  if (!edition) return undefined;
  const subject = subjectOf(edition);
  return { subject, words: { subject, body: searchText(edition) } };
}

/** An edition by id. */
export async function getEdition(store: Store, id: number): Promise<EditionRecord | undefined> {
  const row = await store.db.selectFrom('editions').selectAll().where('id', '=', id).executeTakeFirst();
  return row && record(row);
}

/** The edition of a publication for a date. */
export async function findEdition(store: Store, publicationId: number, date: string): Promise<EditionRecord | undefined> {
  const row = await store.db
    .selectFrom('editions')
    .selectAll()
    .where('publication_id', '=', publicationId)
    .where('date', '=', date)
    .executeTakeFirst();
  return row && record(row);
}

/** The editions of a publication, newest date first. */
export async function listEditions(store: Store, publicationId: number): Promise<EditionRecord[]> {
  const rows = await store.db.selectFrom('editions').selectAll().where('publication_id', '=', publicationId).orderBy('date', 'desc').execute();
  return rows.map(record);
}

/** A page of the dates and statuses of a publication's editions in `statuses`, newest date first. */
export async function editionDatesIn(
  store: Store,
  publicationId: number,
  page: { statuses: readonly EditionStatus[]; limit: number; offset: number },
): Promise<Array<{ date: string; status: EditionStatus }>> {
  return store.db
    .selectFrom('editions')
    .select(['date', 'status'])
    .where('publication_id', '=', publicationId)
    .where('status', 'in', [...page.statuses])
    .orderBy('date', 'desc')
    .limit(page.limit)
    .offset(page.offset)
    .execute();
}

/** Every version of an edition, oldest first. */
export async function listVersions(store: Store, editionId: number): Promise<EditionVersion[]> {
  const rows = await store.db.selectFrom('edition_versions').selectAll().where('edition_id', '=', editionId).orderBy('number').execute();
  return rows.map((r) => ({ editionId: r.edition_id, number: r.number, source: r.source, author: r.author, createdAt: r.created_at }));
}

/** One version of an edition (the current one when `number` is omitted). */
export async function getVersion(store: Store, editionId: number, number?: number): Promise<EditionVersion | undefined> {
  let query = store.db.selectFrom('edition_versions').selectAll().where('edition_id', '=', editionId);
  query = number === undefined ? query.orderBy('number', 'desc').limit(1) : query.where('number', '=', number);
  const r = await query.executeTakeFirst();
  return r && { editionId: r.edition_id, number: r.number, source: r.source, author: r.author, createdAt: r.created_at };
}

/** The last move of an edition to `to`: who made it, when, and at which version (null when recorded before versions were kept with moves). */
export async function lastMoveTo(store: Store, editionId: number, to: EditionStatus): Promise<(EditionTransition & { version: number | null }) | undefined> {
  const r = await store.db
    .selectFrom('edition_transitions')
    .selectAll()
    .where('edition_id', '=', editionId)
    .where('to_status', '=', to)
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
  return r && { from: r.from_status, to: r.to_status, actor: r.actor, at: r.at, version: r.version };
}

/** The moves an edition made, oldest first. */
export async function listTransitions(store: Store, editionId: number): Promise<EditionTransition[]> {
  const rows = await store.db.selectFrom('edition_transitions').selectAll().where('edition_id', '=', editionId).orderBy('id').execute();
  return rows.map((r) => ({ from: r.from_status, to: r.to_status, actor: r.actor, at: r.at }));
}

function record(row: EditionRow): EditionRecord {
  return {
    id: row.id,
    publicationId: row.publication_id,
    date: row.date,
    status: row.status,
    currentVersion: row.current_version,
    subject: row.subject,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
