// Signed tokens for the links of every mail: confirm a subscription, leave it,
// change preferences. A token names its purpose, the subscriber, the
// publication and when it was issued, followed by an HMAC-SHA256 tag (keyed per
// purpose, see keys.ts) cut to 128 bits. Compact and URL-safe:
//   c1a.3.t4k2pq.<22 base64url characters>
// Expiry is decided when the token is checked, by purpose: a confirmation link
// expires; an unsubscribe link keeps working as long as the mail may be read.
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { AudienceKeys } from './keys.ts';

export type TokenPurpose = 'confirm' | 'unsubscribe' | 'preferences';

export interface TokenClaims {
  purpose: TokenPurpose;
  subscriberId: number;
  publicationId: number;
  /** When the token was issued, in milliseconds (kept to the second). */
  issuedAt: number;
}

export type TokenCheck =
  | { ok: true; claims: TokenClaims }
  | { ok: false; reason: 'malformed' | 'bad-signature' | 'wrong-purpose' | 'expired' };

const LETTER: Record<TokenPurpose, string> = { confirm: 'c', unsubscribe: 'u', preferences: 'p' };
const PURPOSE: Record<string, TokenPurpose> = { c: 'confirm', u: 'unsubscribe', p: 'preferences' };
const SHAPE = /^([cup])([0-9a-z]{1,11})\.([0-9a-z]{1,11})\.([0-9a-z]{1,9})\.([A-Za-z0-9_-]{22})$/;
const TAG_BYTES = 16;
/** Tokens issued a little "in the future" are accepted: clocks of two servers differ. */
const CLOCK_SKEW_MS = 5 * 60_000;

function tag(keys: AudienceKeys, purpose: TokenPurpose, body: string): Buffer {
  return createHmac('sha256', keys.key(`token:${purpose}`)).update(body).digest().subarray(0, TAG_BYTES);
}

/** Issues a token for one purpose, subscriber and publication. */
export function signToken(keys: AudienceKeys, claims: TokenClaims): string {
  const { purpose, subscriberId, publicationId } = claims;
  if (!Number.isSafeInteger(subscriberId) || subscriberId < 0 || !Number.isSafeInteger(publicationId) || publicationId < 0) {
    throw new Error('token ids must be non-negative integers');
  }
  const seconds = Math.floor(claims.issuedAt / 1000);
  const body = `${LETTER[purpose]}${subscriberId.toString(36)}.${publicationId.toString(36)}.${seconds.toString(36)}`;
  return `${body}.${tag(keys, purpose, body).toString('base64url')}`;
}

export interface VerifyOptions {
  /** The purpose the caller serves; a token of another purpose is refused. */
  purpose: TokenPurpose;
  now: number;
  /** How long the token stays valid after issue; absent: no expiry. */
  maxAgeMs?: number;
}

/** Checks a token from a link: its tag first (in constant time), then purpose and age. */
export function verifyToken(keys: AudienceKeys, token: string, options: VerifyOptions): TokenCheck {
  const m = SHAPE.exec(token);
  if (!m) return { ok: false, reason: 'malformed' };
  const [, letter, sid, pid, iat, mac] = m as unknown as [string, string, string, string, string, string];
  const purpose = PURPOSE[letter]!;
  const body = `${letter}${sid}.${pid}.${iat}`;
  // Compared as text: base64url's last character carries spare bits, and
  // decoding would let several spellings of one tag through.
  const expected = Buffer.from(tag(keys, purpose, body).toString('base64url'));
  const given = Buffer.from(mac);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: 'bad-signature' };
  // Only now, with an authentic token, do we tell a wrong purpose from a forgery.
  if (purpose !== options.purpose) return { ok: false, reason: 'wrong-purpose' };
  const claims: TokenClaims = {
    purpose,
    subscriberId: parseInt(sid, 36),
    publicationId: parseInt(pid, 36),
    issuedAt: parseInt(iat, 36) * 1000,
  };
  if (claims.issuedAt > options.now + CLOCK_SKEW_MS) return { ok: false, reason: 'malformed' };
  if (options.maxAgeMs !== undefined && options.now - claims.issuedAt > options.maxAgeMs) return { ok: false, reason: 'expired' };
  return { ok: true, claims };
}
