// Who is asking, and may they: the session cookie read on each dashboard and
// API request, the one role check (always for the publication the data belongs
// to), and the CSRF token of every form.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Role } from '../../edition/publication.ts';
import type { Store } from '../../store/db.ts';
import type { Clock } from '../../clock.ts';
import type { Config } from '../../config.ts';
import { WebError } from '../errors.ts';
import { accountOf, hasRole, type Account } from './accounts.ts';
import { sessionUserId, SESSION_TTL_MS } from './sessions.ts';

export const SESSION_COOKIE = 'matinale_session';
export const CSRF_COOKIE = 'matinale_csrf';
/** Form field and header that carry the CSRF token. */
export const CSRF_FIELD = '_csrf';
export const CSRF_HEADER = 'x-csrf-token';

interface GuardDeps {
  store: Store;
  clock: Clock;
  config: Config;
}

// The account read once per request, with the settings it was read under (the
// refusal page of the error handler draws the newsroom's navigation with them).
const cache = new WeakMap<FastifyRequest, { account: Account | null; config: Config }>();

function cookieOptions(config: Config, maxAgeMs: number) {
  return {
    path: '/',
    httpOnly: true,
    sameSite: 'lax' as const,
    secure: config.publicUrl.startsWith('https:'),
    signed: true,
    maxAge: Math.floor(maxAgeMs / 1000),
  };
}

/** Sets the session cookie after a sign-in. */
export function setSessionCookie(reply: FastifyReply, config: Config, token: string): void {
  reply.setCookie(SESSION_COOKIE, token, cookieOptions(config, SESSION_TTL_MS));
}

/** The session token from the signed cookie, if present and untampered. */
export function sessionToken(request: FastifyRequest): string | undefined {
  const value = request.cookies[SESSION_COOKIE];
  if (!value) return undefined;
  const unsigned = request.unsignCookie(value);
  return unsigned.valid && unsigned.value ? unsigned.value : undefined;
}

/** The signed-in account, or undefined. */
export async function currentAccount(request: FastifyRequest, deps: GuardDeps): Promise<Account | undefined> {
  const cached = cache.get(request);
  if (cached !== undefined) return cached.account ?? undefined;
  const token = sessionToken(request);
  const userId = token ? await sessionUserId(deps.store, token, deps.clock) : undefined;
  const account = userId === undefined ? undefined : await accountOf(deps.store, userId);
  cache.set(request, { account: account ?? null, config: deps.config });
  return account;
}

/**
 * The account a guard already found for this request, with a CSRF token for
 * its forms: the error handler draws a refusal inside the newsroom's
 * navigation with it. Undefined when no guard read a session.
 */
export function signedInAs(request: FastifyRequest, reply: FastifyReply): { account: Account; csrf: string } | undefined {
  const cached = cache.get(request);
  if (!cached?.account) return undefined;
  return { account: cached.account, csrf: csrfToken(request, reply, cached.config) };
}

/** The signed-in account; refuses with `unauthenticated` otherwise. */
export async function requireAccount(request: FastifyRequest, deps: GuardDeps): Promise<Account> {
  const account = await currentAccount(request, deps);
  if (!account) throw new WebError('unauthenticated');
  return account;
}

/** True when the account holds at least `role` in the publication: for lists, buttons and links, never instead of `requireRole`. */
export function allows(account: Account, publicationId: number, role: Role): boolean {
  return hasRole(account, publicationId, role);
}

/** True when the account holds at least `role` in some publication: for the navigation's links, never instead of `requireRole`. */
export function allowsSomewhere(account: Account, role: Role): boolean {
  return [...account.roles.keys()].some((publicationId) => allows(account, publicationId, role));
}

/**
 * The one role check of the web: the account must hold at least `role` in
 * `publicationId`, the publication the data asked for belongs to. Someone off
 * that publication's team gets `not-found`, exactly as for data that does not
 * exist (an id must not tell them what another publication holds); a member
 * whose role is too low gets `forbidden`, saying what it takes.
 */
export function requireRole(account: Account, publicationId: number, role: Role, what: string): void {
  if (!account.roles.has(publicationId)) throw new WebError('not-found');
  if (!allows(account, publicationId, role)) {
    throw new WebError('forbidden', `Only ${role === 'author' ? 'a member' : `an ${role}`} of this publication can ${what}`);
  }
}

/**
 * For what belongs to no one publication (a new publication, the relays and
 * DKIM of the whole newsroom): the account must be an admin of at least one
 * publication, the newsroom's administrators. Anyone else signed in gets
 * `forbidden`: such pages exist for every member, nothing is hidden by a 404.
 */
export function requireNewsroomAdmin(account: Account, what: string): void {
  if (![...account.roles.keys()].some((id) => hasRole(account, id, 'admin'))) {
    throw new WebError('forbidden', `Only an admin of the newsroom can ${what}`);
  }
}

/** True when the account is an admin of at least one publication: for links, never instead of `requireNewsroomAdmin`. */
export function isNewsroomAdmin(account: Account): boolean {
  return [...account.roles.keys()].some((id) => hasRole(account, id, 'admin'));
}

// The token is bound to the session too (when there is one), so that a CSRF
// cookie planted before someone signs in is worth nothing afterwards.
function sign(secret: string, value: string, request: FastifyRequest): string {
  return createHmac('sha256', secret).update(`csrf:${value}:${sessionToken(request) ?? ''}`).digest('base64url');
}

/**
 * The CSRF token to put in a form (double submit: an HMAC of a random value
 * the browser holds in a signed, httpOnly cookie; another site can neither
 * read the cookie nor compute the token). Sets the cookie when missing.
 */
export function csrfToken(request: FastifyRequest, reply: FastifyReply, config: Config): string {
  const existing = request.cookies[CSRF_COOKIE];
  const unsigned = existing ? request.unsignCookie(existing) : undefined;
  let value = unsigned?.valid ? unsigned.value : null;
  if (!value) {
    value = randomBytes(18).toString('base64url');
    reply.setCookie(CSRF_COOKIE, value, cookieOptions(config, SESSION_TTL_MS));
    // Later calls in the same request must see the same value.
    request.cookies[CSRF_COOKIE] = reply.signCookie(value);
  }
  return sign(config.secret, value, request);
}

/** Refuses a state-changing request whose CSRF token (form field or header) does not match its cookie. */
export function verifyCsrf(request: FastifyRequest, config: Config): void {
  const body = request.body as Record<string, unknown> | undefined;
  const sent = (typeof body?.[CSRF_FIELD] === 'string' ? body[CSRF_FIELD] : undefined) ?? request.headers[CSRF_HEADER];
  const cookie = request.cookies[CSRF_COOKIE];
  const unsigned = cookie ? request.unsignCookie(cookie) : undefined;
  if (typeof sent !== 'string' || !unsigned?.valid || !unsigned.value) throw new WebError('csrf-refused');
  const expected = Buffer.from(sign(config.secret, unsigned.value, request));
  const given = Buffer.from(sent);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) throw new WebError('csrf-refused');
}
