// A member changes their own password in the dashboard: the current one is
// asked again (a session left open on a shared screen is not enough), and
// every other session of the account ends, the one that asks stays.
import type { Store } from '../../store/db.ts';
import { inTransaction } from '../../store/transaction.ts';
import { replacePasswordHash, userWithHash } from '../../store/team.ts';
import { hashPassword, verifyPassword } from './password.ts';
import { endSessions } from './sessions.ts';
import { MIN_PASSWORD } from './invitations.ts';

export type PasswordChange = { status: 'changed'; otherSessionsEnded: number } | { status: 'refused'; field: 'current' | 'next'; reason: string };

/** Changes the password of `userId`; `keepSession` is the token of the session that asks. */
export async function changePassword(store: Store, userId: number, keepSession: string, current: string, next: string, repeated: string): Promise<PasswordChange> {
  const user = await userWithHash(store, userId);
  if (!user || !(await verifyPassword(current, user.passwordHash))) return { status: 'refused', field: 'current', reason: 'This is not your current password.' };
  if (next.length < MIN_PASSWORD) return { status: 'refused', field: 'next', reason: `The new password must have at least ${MIN_PASSWORD} characters.` };
  if (next !== repeated) return { status: 'refused', field: 'next', reason: 'The two new passwords differ.' };
  const hash = await hashPassword(next);
  return inTransaction(store, async (tx): Promise<PasswordChange> => {
    // Guarded by the hash checked above: a change made meanwhile from another session wins, this one is refused.
    if (!(await replacePasswordHash(tx, userId, user.passwordHash, hash))) return { status: 'refused', field: 'current', reason: 'The password changed meanwhile; sign in again.' };
    return { status: 'changed', otherSessionsEnded: await endSessions(tx, userId, keepSession) };
  });
}
