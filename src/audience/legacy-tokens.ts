// Tokens of the first format, still read during a transition (see README,
// « Signed links »): purpose letter, subscriber id, publication id and issue
// time in clear base36, then an HMAC-SHA256 tag cut to 128 bits, keyed per
// purpose; `c1a.3.t4k2pq.<22 base64url>`, or caseless with a base32 tag.
// They are never issued any more; this module only checks those already in
// readers' inboxes, until LEGACY_TOKENS_READ_UNTIL.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { toBase32 } from './base32.ts';
import type { AudienceKeys } from './keys.ts';
import type { TokenCheck, TokenPurpose } from './tokens.ts';

/** The last moment a token of the first format is accepted (then: refused as malformed). */
export const LEGACY_TOKENS_READ_UNTIL = Date.parse('2027-06-30T00:00:00Z');

const PURPOSE: Record<string, TokenPurpose> = { c: 'confirm', u: 'unsubscribe', p: 'preferences' };
const SHAPE = /^([cup])([0-9a-z]{1,11})\.([0-9a-z]{1,11})\.([0-9a-z]{1,9})\.([A-Za-z0-9_-]{22}|[a-z2-7]{26})$/;
/** A caseless token in any case: its body is lower-case base36 already, so the whole token folds. */
const CASELESS = /^[a-z0-9.]+\.[a-z2-7]{26}$/i;

/** True when the text has the first format's shape (dots between its fields). */
export function looksLegacy(token: string): boolean {
  return token.includes('.');
}

/** Checks a token of the first format: tag first, in constant time; purpose and age are the caller's. */
export function openLegacyToken(keys: AudienceKeys, token: string): TokenCheck {
  const caseless = CASELESS.test(token);
  const m = SHAPE.exec(caseless ? token.toLowerCase() : token);
  if (!m) return { ok: false, reason: 'malformed' };
  const [, letter, sid, pid, iat, mac] = m as unknown as [string, string, string, string, string, string];
  const purpose = PURPOSE[letter]!;
  const body = `${letter}${sid}.${pid}.${iat}`;
  const digest = createHmac('sha256', keys.key(`token:${purpose}`)).update(body).digest().subarray(0, 16);
  // Compared as text: the last character carries spare bits, and decoding would let several spellings through.
  const expected = Buffer.from(caseless ? toBase32(digest) : digest.toString('base64url'));
  const given = Buffer.from(mac);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: 'bad-signature' };
  return {
    ok: true,
    claims: { purpose, subscriberId: parseInt(sid, 36), publicationId: parseInt(pid, 36), issuedAt: parseInt(iat, 36) * 1000 },
  };
}
