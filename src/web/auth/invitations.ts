// Inviting a person onto a publication's team: their person and membership
// are made at once, and, when they have no account yet, an invited account
// whose password is not set, and a mail with a link to set it. The link is
// signed (HMAC with MATINALE_SECRET), expires, and works once: it signs the
// account's password hash as it is when the link is made, and setting the
// password changes that hash, so the link is void afterwards (no table of
// tokens to keep). The mail leaves through the process's one transactional
// mail path (delivery/mail-stack.ts: the relay, or the local outbox).
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Store } from '../../store/db.ts';
import type { Clock } from '../../clock.ts';
import type { Role } from '../../edition/publication.ts';
import type { Mail, Mailer } from '../../audience/mailer.ts';
import { inTransaction } from '../../store/transaction.ts';
import { recordAudit } from '../../store/audit-log.ts';
import { upsertPerson, findPerson } from '../../store/people.ts';
import { setMembership } from '../../store/people.ts';
import { ensureUser, INVITED_PREFIX, replacePasswordHash, userWithHash } from '../../store/team.ts';
import { hashPassword } from './password.ts';
import { endSessions } from './sessions.ts';
import { normaliseEmail } from '../../store/people.ts';

/** How long an invitation link works. */
export const INVITATION_TTL_MS = 7 * 24 * 3600 * 1000;
/** The shortest password the dashboard accepts (as `matinale user add`). */
export const MIN_PASSWORD = 10;

export interface InvitationDeps {
  store: Store;
  clock: Clock;
  secret: string;
  publicUrl: string;
  mailer: Mailer;
}

function mac(secret: string, userId: number, expiresAt: number, passwordHash: string): string {
  return createHmac('sha256', secret).update(`invitation:${userId}:${expiresAt}:${passwordHash}`).digest('base64url');
}

/** The token of an invitation link for the account as it is now. */
export function invitationToken(secret: string, userId: number, passwordHash: string, expiresAt: number): string {
  return `${userId}.${expiresAt}.${mac(secret, userId, expiresAt, passwordHash)}`;
}

export type InvitationCheck = { status: 'valid'; userId: number; email: string; name: string; passwordHash: string } | { status: 'invalid' | 'expired' | 'used' };

/** What an invitation token is worth now. */
export async function checkInvitation(store: Store, secret: string, token: string, now: number): Promise<InvitationCheck> {
  const m = /^(\d{1,15})\.(\d{1,15})\.([A-Za-z0-9_-]{43})$/.exec(token);
  if (!m) return { status: 'invalid' };
  const userId = Number(m[1]);
  const expiresAt = Number(m[2]);
  const user = await userWithHash(store, userId);
  if (!user) return { status: 'invalid' };
  const given = Buffer.from(m[3]!);
  const expected = Buffer.from(mac(secret, userId, expiresAt, user.passwordHash));
  if (!timingSafeEqual(given, expected)) {
    // Signed for an earlier hash: the password was set since (the link was used), or the link is forged.
    return { status: user.passwordHash.startsWith(INVITED_PREFIX) ? 'invalid' : 'used' };
  }
  if (now > expiresAt) return { status: 'expired' };
  if (user.disabledAt !== null) return { status: 'invalid' };
  return { status: 'valid', userId, email: user.email, name: user.name, passwordHash: user.passwordHash };
}

export interface Invite {
  email: string;
  name?: string;
  publicationId: number;
  publicationName: string;
  role: Role;
  /** The admin who invites, by name, for the mail. */
  by: string;
  /** Their address, for the audit log. */
  actor: string;
}

export type InviteResult = { status: 'invited' | 'added'; personId: number } | { status: 'refused'; reason: string };

function invitationMail(to: string, publicUrl: string, link: string, invite: Invite): Mail {
  const host = new URL(publicUrl).hostname;
  const text = [
    `${invite.by} invites you to the newsroom of ${invite.publicationName} as ${invite.role}.`,
    '',
    'Choose your password here (the link works once, for 7 days):',
    link,
    '',
    `Then sign in at ${publicUrl}/newsroom with this address, ${to}.`,
    'If you did not expect this invitation, ignore this mail: nothing happens without the link.',
  ].join('\n');
  return { from: `Matinale newsroom <no-reply@${host}>`, to, subject: `Your invitation to the newsroom of ${invite.publicationName}`, text, headers: { 'Auto-Submitted': 'auto-generated' } };
}

/** Puts the person on the publication's team and, when they have no password yet, mails them a link to set one. */
export async function invite(deps: InvitationDeps, input: Invite): Promise<InviteResult> {
  const email = normaliseEmail(input.email);
  if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email) || email.length > 254) return { status: 'refused', reason: 'this is not an email address' };
  const now = deps.clock.now();
  const existing = await findPerson(deps.store, email);
  const name = input.name?.trim() || existing?.name || email;
  const made = await inTransaction(deps.store, async (tx) => {
    const personId = await upsertPerson(tx, { name, email, pgpKey: existing?.pgpKey ?? null }, now);
    await setMembership(tx, personId, input.publicationId, input.role);
    const user = await ensureUser(tx, personId, `${INVITED_PREFIX}${randomBytes(16).toString('base64url')}`, now);
    await recordAudit(tx, { actor: input.actor, action: 'team.invite', subjectType: 'person', subjectId: personId, details: { publicationId: input.publicationId, role: input.role } }, now);
    return { personId, user };
  });
  // An account with a password keeps it: the person is on one more team, and signs in as before.
  if (!made.user.passwordHash.startsWith(INVITED_PREFIX) || made.user.disabled) return { status: 'added', personId: made.personId };
  const token = invitationToken(deps.secret, made.user.userId, made.user.passwordHash, now + INVITATION_TTL_MS);
  await deps.mailer.send(invitationMail(email, deps.publicUrl, `${deps.publicUrl}/newsroom/invitation/${token}`, input));
  return { status: 'invited', personId: made.personId };
}

export type AcceptResult = { status: 'set'; email: string } | { status: 'refused'; reason: string } | { status: 'invalid' | 'expired' | 'used' };

/** Sets the password of an invited account from its link; the link is void afterwards. */
export async function acceptInvitation(store: Store, secret: string, clock: Clock, token: string, password: string, repeated: string): Promise<AcceptResult> {
  const check = await checkInvitation(store, secret, token, clock.now());
  if (check.status !== 'valid') return check;
  if (password.length < MIN_PASSWORD) return { status: 'refused', reason: `The password must have at least ${MIN_PASSWORD} characters.` };
  if (password !== repeated) return { status: 'refused', reason: 'The two passwords differ.' };
  const hash = await hashPassword(password);
  const changed = await inTransaction(store, async (tx) => {
    if (!(await replacePasswordHash(tx, check.userId, check.passwordHash, hash))) return false;
    await endSessions(tx, check.userId);
    await recordAudit(tx, { actor: check.email, action: 'account.password-set', subjectType: 'user', subjectId: check.userId }, clock.now());
    return true;
  });
  return changed ? { status: 'set', email: check.email } : { status: 'used' };
}
