// Sign-in sessions. The browser holds a random token in a signed, httpOnly
// cookie; the database holds only its SHA-256, so a leaked table opens nothing.
import { createHash, randomBytes } from 'node:crypto';
import type { Store } from '../../store/db.ts';
import { deleteSession, deleteSessionsOf, insertSession, sessionUser } from '../../store/sessions.ts';
import type { Clock } from '../../clock.ts';

/** How long a session lasts without signing in again: a newsroom's night shift and then some. */
export const SESSION_TTL_MS = 14 * 24 * 3600 * 1000;

function digest(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** Opens a session for a user; returns the token for the cookie. */
export async function openSession(store: Store, userId: number, clock: Clock): Promise<string> {
  const token = randomBytes(32).toString('base64url');
  const now = clock.now();
  // Expired sessions are swept there, at sign-in, rather than by a timer.
  await insertSession(store, { digest: digest(token), userId, createdAt: now, expiresAt: now + SESSION_TTL_MS });
  return token;
}

/** The user id of a live session token, or undefined. */
export async function sessionUserId(store: Store, token: string, clock: Clock): Promise<number | undefined> {
  return sessionUser(store, digest(token), clock.now());
}

/** Ends a session (sign-out). */
export async function closeSession(store: Store, token: string): Promise<void> {
  await deleteSession(store, digest(token));
}

/**
 * Ends every session of a user but the one whose token is `keep` (the
 * person's own, when they changed their password in the dashboard); returns
 * how many ended. Takes a store or a transaction's.
 */
export async function endSessions(store: Store, userId: number, keep?: string): Promise<number> {
  return deleteSessionsOf(store, userId, keep === undefined ? undefined : digest(keep));
}
