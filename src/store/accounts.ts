// Newsroom accounts: a person (people), their sign-in (users) and their role
// in each publication (memberships, people.ts setMembership). The password
// arrives hashed (web/auth/password.ts); addresses are compared normalised.
import type { Role } from '../edition/publication.ts';
import type { Store } from './db.ts';
import { normaliseEmail, setMembership } from './people.ts';
import type { Millis } from './schema.ts';
import { membershipsOfPerson } from './team.ts';

/** A user who may sign in (not disabled): who they are and their role per publication id, as stored. */
export interface UserRow {
  userId: number;
  personId: number;
  name: string;
  email: string;
  memberships: Array<{ publicationId: number; role: Role }>;
}

/**
 * Creates or updates the person of `email` (their name only when given),
 * their sign-in (a new password enables a disabled account), and their role
 * in each publication of `publicationIds`; returns the user id. Run it inside a transaction.
 */
export async function saveAccount(
  store: Store,
  input: { email: string; name?: string; passwordHash: string; role: Role; publicationIds: readonly number[] },
  now: Millis,
): Promise<number> {
  const email = normaliseEmail(input.email);
  const person = await store.db
    .insertInto('people')
    .values({ name: input.name ?? email, email, created_at: now })
    .onConflict((oc) => oc.column('email').doUpdateSet(input.name ? { name: input.name } : { email }))
    .returning('id')
    .executeTakeFirstOrThrow();
  const user = await store.db
    .insertInto('users')
    .values({ person_id: person.id, password_hash: input.passwordHash, created_at: now })
    .onConflict((oc) => oc.column('person_id').doUpdateSet({ password_hash: input.passwordHash, disabled_at: null }))
    .returning('id')
    .executeTakeFirstOrThrow();
  for (const publicationId of input.publicationIds) await setMembership(store, person.id, publicationId, input.role);
  return user.id;
}

/** The password hash, user id and stored address for an address, to check a sign-in (disabled accounts: none). */
export async function credentialsFor(store: Store, email: string): Promise<{ userId: number; email: string; passwordHash: string } | undefined> {
  return store.db
    .selectFrom('users')
    .innerJoin('people', 'people.id', 'users.person_id')
    .select(['users.id as userId', 'people.email as email', 'users.password_hash as passwordHash'])
    .where('people.email', '=', normaliseEmail(email))
    .where('users.disabled_at', 'is', null)
    .executeTakeFirst();
}

/** A user by id with their memberships; undefined when unknown or disabled. */
export async function userById(store: Store, userId: number): Promise<UserRow | undefined> {
  const row = await store.db
    .selectFrom('users')
    .innerJoin('people', 'people.id', 'users.person_id')
    .select(['users.id as userId', 'people.id as personId', 'people.name', 'people.email'])
    .where('users.id', '=', userId)
    .where('users.disabled_at', 'is', null)
    .executeTakeFirst();
  if (!row) return undefined;
  return { ...row, memberships: await membershipsOfPerson(store, row.personId) };
}

/** The user id of an address, disabled or not; undefined when no account has it. */
export async function userIdOf(store: Store, email: string): Promise<number | undefined> {
  const row = await store.db
    .selectFrom('users')
    .innerJoin('people', 'people.id', 'users.person_id')
    .select('users.id')
    .where('people.email', '=', normaliseEmail(email))
    .executeTakeFirst();
  return row?.id;
}

/** Marks a user disabled (once: the first time is kept). */
export async function disableUser(store: Store, userId: number, now: Millis): Promise<void> {
  await store.db.updateTable('users').set({ disabled_at: now }).where('id', '=', userId).where('disabled_at', 'is', null).execute();
}
