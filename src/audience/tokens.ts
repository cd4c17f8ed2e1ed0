// Signed tokens for the links of every mail: confirm a subscription, leave it,
// change preferences. A token names its purpose, the subscriber, the
// publication and when it was issued, followed by an HMAC-SHA256 tag (keyed per
// purpose, see keys.ts) cut to 128 bits. Compact and URL-safe:
//   c1a.3.t4k2pq.<22 base64url characters>
// Expiry is decided when the token is checked, by purpose: a confirmation link
// expires; an unsubscribe link keeps working as long as the mail may be read.
// A token that travels in the local part of an address (the mailto of
// List-Unsubscribe) is issued "caseless": its tag in lower-case base32
// (26 characters), because mail servers may fold local parts to lower case
// (Exim by default, Postfix's pipe with its `u` flag).
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
const SHAPE = /^([cup])([0-9a-z]{1,11})\.([0-9a-z]{1,11})\.([0-9a-z]{1,9})\.([A-Za-z0-9_-]{22}|[a-z2-7]{26})$/;
/** A caseless token in any case: its body is lower-case base36 already, so the whole token folds. */
const CASELESS = /^[a-z0-9.]+\.[a-z2-7]{26}$/i;
const TAG_BYTES = 16;
/** Tokens issued a little "in the future" are accepted: clocks of two servers differ. */
const CLOCK_SKEW_MS = 5 * 60_000;

function tag(keys: AudienceKeys, purpose: TokenPurpose, body: string): Buffer {
  return createHmac('sha256', keys.key(`token:${purpose}`)).update(body).digest().subarray(0, TAG_BYTES);
}

const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';

/** RFC 4648 base32 in lower case, without padding. */
function base32(bytes: Buffer): string {
  let out = '';
  let bits = 0;
  let value = 0;
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
    value &= (1 << bits) - 1;
  }
  return bits > 0 ? out + BASE32[(value << (5 - bits)) & 31] : out;
}

function encodeTag(tagBytes: Buffer, caseless: boolean): string {
  return caseless ? base32(tagBytes) : tagBytes.toString('base64url');
}

/** Issues a token for one purpose, subscriber and publication; `caseless` for the local part of an address. */
export function signToken(keys: AudienceKeys, claims: TokenClaims, options: { caseless?: boolean } = {}): string {
  const { purpose, subscriberId, publicationId } = claims;
  if (!Number.isSafeInteger(subscriberId) || subscriberId < 0 || !Number.isSafeInteger(publicationId) || publicationId < 0) {
    throw new Error('token ids must be non-negative integers');
  }
  const seconds = Math.floor(claims.issuedAt / 1000);
  const body = `${LETTER[purpose]}${subscriberId.toString(36)}.${publicationId.toString(36)}.${seconds.toString(36)}`;
  return `${body}.${encodeTag(tag(keys, purpose, body), options.caseless ?? false)}`;
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
  const caseless = CASELESS.test(token);
  const m = SHAPE.exec(caseless ? token.toLowerCase() : token);
  if (!m) return { ok: false, reason: 'malformed' };
  const [, letter, sid, pid, iat, mac] = m as unknown as [string, string, string, string, string, string];
  const purpose = PURPOSE[letter]!;
  const body = `${letter}${sid}.${pid}.${iat}`;
  // Compared as text: the last character of base64url (and base32) carries
  // spare bits, and decoding would let several spellings of one tag through.
  const expected = Buffer.from(encodeTag(tag(keys, purpose, body), caseless));
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
