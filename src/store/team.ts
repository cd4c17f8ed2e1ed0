// Queries of the newsroom's team as its admins manage it: members of some
// publications with the state of their account, a member's role, invited
// accounts (a user row whose password is not set yet) and their password.
// The password hash never leaves this module but to the code that checks it.
import type { Role } from '../edition/publication.ts';
import type { Store } from './db.ts';
import type { Millis } from './schema.ts';

/** The mark of a password hash that is no password: the account was invited and its owner has not set one. */
export const INVITED_PREFIX = 'invited$';

export type AccountState = 'none' | 'invited' | 'active' | 'disabled';

export interface TeamRow {
  personId: number;
  name: string;
  email: string;
  publicationId: number;
  role: Role;
  account: AccountState;
}

function stateOf(hash: string | null, disabledAt: number | null): AccountState {
  if (hash === null) return 'none';
  if (disabledAt !== null) return 'disabled';
  return hash.startsWith(INVITED_PREFIX) ? 'invited' : 'active';
}

/** Every membership in these publications, with the person and the state of their account, by person then publication. */
export async function teamOfPublications(store: Store, publicationIds: readonly number[]): Promise<TeamRow[]> {
  if (publicationIds.length === 0) return [];
  const rows = await store.db
    .selectFrom('memberships')
    .innerJoin('people', 'people.id', 'memberships.person_id')
    .leftJoin('users', 'users.person_id', 'people.id')
    .select(['people.id as personId', 'people.name', 'people.email', 'memberships.publication_id as publicationId', 'memberships.role', 'users.password_hash', 'users.disabled_at'])
    .where('memberships.publication_id', 'in', publicationIds)
    .orderBy('people.name')
    .orderBy('people.id')
    .orderBy('memberships.publication_id')
    .execute();
  return rows.map((r) => ({
    personId: r.personId,
    name: r.name,
    email: r.email,
    publicationId: r.publicationId,
    role: r.role as Role,
    account: stateOf(r.password_hash, r.disabled_at),
  }));
}

/** The publications a person is on, with their role in each. */
export async function membershipsOfPerson(store: Store, personId: number): Promise<Array<{ publicationId: number; role: Role }>> {
  const rows = await store.db.selectFrom('memberships').select(['publication_id', 'role']).where('person_id', '=', personId).execute();
  return rows.map((r) => ({ publicationId: r.publication_id, role: r.role as Role }));
}

/** Changes the role of a member of a publication; false when they are not on its team. */
export async function changeRole(store: Store, personId: number, publicationId: number, role: Role): Promise<boolean> {
  const r = await store.db.updateTable('memberships').set({ role }).where('person_id', '=', personId).where('publication_id', '=', publicationId).executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

/** The user of a person, made as an invited account (no password yet) when they have none. */
export async function ensureUser(store: Store, personId: number, invitedHash: string, at: Millis): Promise<{ userId: number; passwordHash: string; disabled: boolean }> {
  await store.db
    .insertInto('users')
    .values({ person_id: personId, password_hash: invitedHash, created_at: at })
    .onConflict((oc) => oc.column('person_id').doNothing())
    .execute();
  const row = await store.db.selectFrom('users').select(['id', 'password_hash', 'disabled_at']).where('person_id', '=', personId).executeTakeFirstOrThrow();
  return { userId: row.id, passwordHash: row.password_hash, disabled: row.disabled_at !== null };
}

/** A user with their person and password hash (to check an invitation or a password change). */
export async function userWithHash(store: Store, userId: number) {
  return store.db
    .selectFrom('users')
    .innerJoin('people', 'people.id', 'users.person_id')
    .select(['users.id as userId', 'people.id as personId', 'people.name', 'people.email', 'users.password_hash as passwordHash', 'users.disabled_at as disabledAt'])
    .where('users.id', '=', userId)
    .executeTakeFirst();
}

/** The user id of a person, if they have an account. */
export async function userOfPerson(store: Store, personId: number): Promise<number | undefined> {
  return (await store.db.selectFrom('users').select('id').where('person_id', '=', personId).executeTakeFirst())?.id;
}

/**
 * Sets a user's password hash, only if the hash is still `expected` (a guarded
 * update: of two uses of one invitation, or two changes from one old password,
 * one wins). True when it changed.
 */
export async function replacePasswordHash(store: Store, userId: number, expected: string, next: string): Promise<boolean> {
  const r = await store.db.updateTable('users').set({ password_hash: next }).where('id', '=', userId).where('password_hash', '=', expected).executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

/** A person by id. */
export async function personById(store: Store, personId: number) {
  return store.db.selectFrom('people').select(['id', 'name', 'email']).where('id', '=', personId).executeTakeFirst();
}
