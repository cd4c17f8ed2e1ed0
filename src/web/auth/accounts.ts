// Newsroom accounts: a person (people), their sign-in (users) and their role
// in each publication (memberships). All queries of accounts live here.
import type { Store } from '../../store/db.ts';
import type { Clock } from '../../clock.ts';
import { ROLES, type Role } from '../../edition/publication.ts';
import { hashPassword } from './password.ts';
import { inTransaction } from '../../store/transaction.ts';
import { endSessions } from './sessions.ts';

/** A signed-in member of the newsroom and their roles. */
export interface Account {
  userId: number;
  personId: number;
  name: string;
  email: string;
  /** Role per publication id: the one source of what the account may do, as the store's workflow checks too. */
  roles: Map<number, Role>;
}

export interface NewAccount {
  email: string;
  name?: string;
  password: string;
  role: Role;
  /** Publications the role applies to; all existing ones when absent. */
  publicationSlugs?: string[];
}

/** Ranks roles so that a check can say "at least editor". */
export const ROLE_RANK: Record<Role, number> = { author: 1, editor: 2, admin: 3 };

/** Lower-cases the address so that sign-in does not depend on how it was typed. */
export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}

/** Creates or updates an account (person, password, memberships) in one transaction; returns the user id. */
export async function addAccount(store: Store, input: NewAccount, clock: Clock): Promise<number> {
  if (!ROLES.includes(input.role)) throw new Error(`unknown role ${input.role} (author, editor or admin)`);
  const email = normaliseEmail(input.email);
  const passwordHash = await hashPassword(input.password);
  const now = clock.now();
  return inTransaction(store, async (tx) => {
    const trx = tx.db;
    let publications = trx.selectFrom('publications').select(['id', 'slug']);
    if (input.publicationSlugs?.length) publications = publications.where('slug', 'in', input.publicationSlugs);
    const pubs = await publications.execute();
    const missing = (input.publicationSlugs ?? []).filter((s) => !pubs.some((p) => p.slug === s));
    if (missing.length) throw new Error(`unknown publication ${missing.join(', ')}`);
    if (pubs.length === 0) throw new Error('no publication yet: add one first (matinale publication add FILE.yaml)');

    const person = await trx
      .insertInto('people')
      .values({ name: input.name ?? email, email, created_at: now })
      .onConflict((oc) => oc.column('email').doUpdateSet(input.name ? { name: input.name } : { email }))
      .returning('id')
      .executeTakeFirstOrThrow();
    const user = await trx
      .insertInto('users')
      .values({ person_id: person.id, password_hash: passwordHash, created_at: now })
      .onConflict((oc) => oc.column('person_id').doUpdateSet({ password_hash: passwordHash, disabled_at: null }))
      .returning('id')
      .executeTakeFirstOrThrow();
    // A new password ends every session opened with the old one (this runs from the CLI: none is the caller's).
    await endSessions(tx, user.id);
    for (const pub of pubs) {
      await trx
        .insertInto('memberships')
        .values({ person_id: person.id, publication_id: pub.id, role: input.role })
        .onConflict((oc) => oc.columns(['person_id', 'publication_id']).doUpdateSet({ role: input.role }))
        .execute();
    }
    return user.id;
  });
}

/** The password hash, user id and stored address for an address, to check a sign-in. */
export async function credentialsFor(store: Store, email: string): Promise<{ userId: number; email: string; passwordHash: string } | undefined> {
  const row = await store.db
    .selectFrom('users')
    .innerJoin('people', 'people.id', 'users.person_id')
    .select(['users.id as userId', 'people.email as email', 'users.password_hash as passwordHash'])
    .where('people.email', '=', normaliseEmail(email))
    .where('users.disabled_at', 'is', null)
    .executeTakeFirst();
  return row;
}

/** The account of a user id, with its roles; undefined when unknown or disabled. */
export async function accountOf(store: Store, userId: number): Promise<Account | undefined> {
  const row = await store.db
    .selectFrom('users')
    .innerJoin('people', 'people.id', 'users.person_id')
    .select(['users.id as userId', 'people.id as personId', 'people.name', 'people.email'])
    .where('users.id', '=', userId)
    .where('users.disabled_at', 'is', null)
    .executeTakeFirst();
  if (!row) return undefined;
  const memberships = await store.db
    .selectFrom('memberships')
    .select(['publication_id', 'role'])
    .where('person_id', '=', row.personId)
    .execute();
  const roles = new Map<number, Role>();
  for (const m of memberships) if ((ROLES as readonly string[]).includes(m.role)) roles.set(m.publication_id, m.role as Role);
  return { ...row, roles };
}

/** The role an account holds in a publication, from its membership there. */
export function roleIn(account: Account, publicationId: number): Role | undefined {
  return account.roles.get(publicationId);
}

/** True when the account holds at least `role` in the publication. */
export function hasRole(account: Account, publicationId: number, role: Role): boolean {
  const held = roleIn(account, publicationId);
  return held !== undefined && ROLE_RANK[held] >= ROLE_RANK[role];
}

/** The user id of an address, disabled or not; undefined when no account has it. */
async function userIdOf(store: Store, email: string): Promise<number | undefined> {
  const row = await store.db
    .selectFrom('users')
    .innerJoin('people', 'people.id', 'users.person_id')
    .select('users.id')
    .where('people.email', '=', normaliseEmail(email))
    .executeTakeFirst();
  return row?.id;
}

/** Ends every session of an account (a lost laptop, a leaked cookie); the number ended, or undefined for an unknown address. */
export async function signOutEverywhere(store: Store, email: string): Promise<number | undefined> {
  const userId = await userIdOf(store, email);
  return userId === undefined ? undefined : endSessions(store, userId);
}

/**
 * Disables an account: it cannot sign in, and its sessions end, in one
 * transaction. `matinale user add` with a new password enables it again.
 * The number of sessions ended, or undefined for an unknown address.
 */
export async function disableAccount(store: Store, email: string, clock: Clock): Promise<number | undefined> {
  const userId = await userIdOf(store, email);
  if (userId === undefined) return undefined;
  return inTransaction(store, async (tx) => {
    await tx.db.updateTable('users').set({ disabled_at: clock.now() }).where('id', '=', userId).where('disabled_at', 'is', null).execute();
    return endSessions(tx, userId);
  });
}
