// Newsroom accounts as the web sees them: who is signed in and with which
// role in each publication (the one source of what an account may do), and
// the account commands of `matinale user` (which hash the password and end
// the sessions the old one opened). The queries are the store's (store/accounts.ts).
import type { Store } from '../../store/db.ts';
import type { Clock } from '../../clock.ts';
import { ROLES, type Role } from '../../edition/publication.ts';
import { disableUser, saveAccount, userById, userIdOf } from '../../store/accounts.ts';
import { publicationSummaries } from '../../store/publications.ts';
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

/** Creates or updates an account (person, password, memberships) in one transaction; returns the user id. */
export async function addAccount(store: Store, input: NewAccount, clock: Clock): Promise<number> {
  if (!ROLES.includes(input.role)) throw new Error(`unknown role ${input.role} (author, editor or admin)`);
  const passwordHash = await hashPassword(input.password);
  const now = clock.now();
  return inTransaction(store, async (tx) => {
    const all = await publicationSummaries(tx);
    const pubs = input.publicationSlugs?.length ? all.filter((p) => input.publicationSlugs!.includes(p.slug)) : all;
    const missing = (input.publicationSlugs ?? []).filter((s) => !pubs.some((p) => p.slug === s));
    if (missing.length) throw new Error(`unknown publication ${missing.join(', ')}`);
    if (pubs.length === 0) throw new Error('no publication yet: add one first (matinale publication add FILE.yaml)');
    const userId = await saveAccount(tx, { email: input.email, name: input.name, passwordHash, role: input.role, publicationIds: pubs.map((p) => p.id) }, now);
    // A new password ends every session opened with the old one (this runs from the CLI: none is the caller's).
    await endSessions(tx, userId);
    return userId;
  });
}

/** The account of a user id, with its roles; undefined when unknown or disabled. */
export async function accountOf(store: Store, userId: number): Promise<Account | undefined> {
  const row = await userById(store, userId);
  if (!row) return undefined;
  const roles = new Map<number, Role>();
  for (const m of row.memberships) if ((ROLES as readonly string[]).includes(m.role)) roles.set(m.publicationId, m.role as Role);
  return { userId: row.userId, personId: row.personId, name: row.name, email: row.email, roles };
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
    await disableUser(tx, userId, clock.now());
    return endSessions(tx, userId);
  });
}
