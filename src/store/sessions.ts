// Sign-in sessions, by the digest of their token (web/auth/sessions.ts makes
// the token and its digest: this table never sees a token).
import type { Store } from './db.ts';
import type { Millis } from './schema.ts';

/** Stores a session, and sweeps those expired before `now` (at sign-in rather than by a timer). */
export async function insertSession(store: Store, session: { digest: string; userId: number; createdAt: Millis; expiresAt: Millis }): Promise<void> {
  await store.db
    .insertInto('sessions')
    .values({ id: session.digest, user_id: session.userId, created_at: session.createdAt, expires_at: session.expiresAt })
    .execute();
  await store.db.deleteFrom('sessions').where('expires_at', '<', session.createdAt).execute();
}

/** The user of a session still valid at `now`. */
export async function sessionUser(store: Store, digest: string, now: Millis): Promise<number | undefined> {
  const row = await store.db.selectFrom('sessions').select('user_id').where('id', '=', digest).where('expires_at', '>', now).executeTakeFirst();
  return row?.user_id;
}

/** Deletes one session. */
export async function deleteSession(store: Store, digest: string): Promise<void> {
  await store.db.deleteFrom('sessions').where('id', '=', digest).execute();
}

/** Deletes every session of a user but the one of digest `keep`; returns how many. */
export async function deleteSessionsOf(store: Store, userId: number, keep?: string): Promise<number> {
  let query = store.db.deleteFrom('sessions').where('user_id', '=', userId);
  if (keep !== undefined) query = query.where('id', '!=', keep);
  const result = await query.executeTakeFirst();
  return Number(result.numDeletedRows);
}
