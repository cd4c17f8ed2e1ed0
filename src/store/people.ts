// People of the newsroom and their roles in each publication (memberships).
// A person is known by their address, which is unique across publications:
// the same editor may work on several titles with a different role in each.
import type { Role } from '../edition/publication.ts';
import type { Store } from './db.ts';
import type { Millis } from './schema.ts';

export interface Person {
  id: number;
  name: string;
  email: string;
  pgpKey: string | null;
}

export interface Member extends Person {
  role: Role;
}

/** Address as compared: trimmed and lower-cased (people type theirs in any case). */
export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}

/**
 * Creates the person or updates their name, and their key when one is given
 * (settings without a key leave the one set by `matinale user key`); returns
 * their id. Run it inside a transaction.
 */
export async function upsertPerson(
  store: Store,
  person: { name: string; email: string; pgpKey?: string | null },
  at: Millis,
): Promise<number> {
  const row = await store.db
    .insertInto('people')
    .values({ name: person.name, email: normaliseEmail(person.email), pgp_key: person.pgpKey ?? null, created_at: at })
    .onConflict((oc) => oc.column('email').doUpdateSet(person.pgpKey ? { name: person.name, pgp_key: person.pgpKey } : { name: person.name }))
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/** Gives a person `role` in a publication (their role there, if any, is replaced). */
export async function setMembership(store: Store, personId: number, publicationId: number, role: Role): Promise<void> {
  await store.db
    .insertInto('memberships')
    .values({ person_id: personId, publication_id: publicationId, role })
    .onConflict((oc) => oc.columns(['person_id', 'publication_id']).doUpdateSet({ role }))
    .execute();
}

/** What saving a publication's settings did to members the file does not list. */
export interface TeamChanges {
  /** Listed by the previous settings and not by these: taken off the team. */
  removed: Member[];
  /** Never listed by the settings (added by `matinale user add`, say): left as they are. */
  kept: Member[];
}

/**
 * Makes a publication's team follow its settings file. The file is the truth
 * for the people it lists or listed: those listed get their role; those the
 * previous file listed and this one does not leave the team. Members the file
 * never listed came another way (an account made with `matinale user add`):
 * re-adding the file must not silently take their access, so they stay.
 * `previouslyListed` is the team of the settings stored before (empty for a
 * new publication).
 */
export async function syncTeam(
  store: Store,
  publicationId: number,
  team: ReadonlyArray<{ name: string; email: string; role: Role; pgpKey?: string }>,
  previouslyListed: readonly string[],
  at: Millis,
): Promise<TeamChanges> {
  const before = await teamOf(store, publicationId);
  for (const member of team) {
    await setMembership(store, await upsertPerson(store, member, at), publicationId, member.role);
  }
  const listed = new Set(team.map((m) => normaliseEmail(m.email)));
  const listedBefore = new Set(previouslyListed.map(normaliseEmail));
  const changes: TeamChanges = { removed: [], kept: [] };
  for (const member of before.filter((m) => !listed.has(m.email))) {
    (listedBefore.has(member.email) ? changes.removed : changes.kept).push(member);
  }
  if (changes.removed.length > 0) {
    const ids = changes.removed.map((m) => m.id);
    await store.db.deleteFrom('memberships').where('publication_id', '=', publicationId).where('person_id', 'in', ids).execute();
  }
  return changes;
}

/** The team of a publication, in the order of their ids (the order they were first added). */
export async function teamOf(store: Store, publicationId: number): Promise<Member[]> {
  const rows = await store.db
    .selectFrom('memberships')
    .innerJoin('people', 'people.id', 'memberships.person_id')
    .where('memberships.publication_id', '=', publicationId)
    .select(['people.id', 'people.name', 'people.email', 'people.pgp_key', 'memberships.role'])
    .orderBy('people.id')
    .execute();
  return rows.map((r) => ({ id: r.id, name: r.name, email: r.email, pgpKey: r.pgp_key, role: r.role as Role }));
}

/** The role of a person (by address) in a publication, or undefined when they are not on its team. */
export async function roleOf(store: Store, publicationId: number, email: string): Promise<Role | undefined> {
  const row = await store.db
    .selectFrom('memberships')
    .innerJoin('people', 'people.id', 'memberships.person_id')
    .where('memberships.publication_id', '=', publicationId)
    .where('people.email', '=', normaliseEmail(email))
    .select('memberships.role')
    .executeTakeFirst();
  return row?.role as Role | undefined;
}

/**
 * Holds the person's row until the transaction ends, so that two
 * transactions acting for one person run one after the other (PostgreSQL;
 * SQLite has one writer at a time anyway). Run it inside a transaction.
 */
export async function lockPerson(store: Store, email: string): Promise<void> {
  let query = store.db.selectFrom('people').select('id').where('email', '=', normaliseEmail(email));
  if (store.capabilities.supportsConcurrentWriters) query = query.forUpdate();
  await query.execute();
}

/** A person by address. */
export async function findPerson(store: Store, email: string): Promise<Person | undefined> {
  const row = await store.db.selectFrom('people').selectAll().where('email', '=', normaliseEmail(email)).executeTakeFirst();
  return row && { id: row.id, name: row.name, email: row.email, pgpKey: row.pgp_key };
}

/** Sets (or with null, removes) a person's OpenPGP public key; false when nobody has that address. */
export async function setPersonKey(store: Store, email: string, armoredKey: string | null): Promise<boolean> {
  const result = await store.db.updateTable('people').set({ pgp_key: armoredKey }).where('email', '=', normaliseEmail(email)).executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}
