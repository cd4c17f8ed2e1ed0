// Tokens for the links of every mail: confirm a subscription, leave it,
// change preferences. A token names its purpose, the subscriber, the
// publication and when it was issued, and shows none of it: the 16 bytes of
// those claims are sealed with a synthetic IV (the SIV construction of
// RFC 5297, with HMAC-SHA256 in place of CMAC):
//   tag = HMAC-SHA256(tag key, claims) cut to 128 bits
//   token = tag ‖ AES-256-CTR(seal key, iv = tag, claims)
// The tag authenticates the claims and, as the IV, makes every token look
// random: two tokens of consecutive subscribers, or of one subscriber a second
// apart, share nothing visible, so a token tells an outsider neither the size
// of the list nor when it was issued. Both keys are derived from the secret
// (keys.ts). Deterministic: the same claims give the same token, which tells
// nothing but that they are the same. Verifying decrypts, then recomputes the
// tag and compares it in constant time; any other token is refused.
// Written in base64url for links (43 characters), or "caseless" for the
// local part of an address (the mailto of List-Unsubscribe): lower-case base32,
// 52 characters, so that `unsubscribe+<token>` is exactly a 64-octet local
// part and survives mail servers that fold it to lower case (Exim by
// default, Postfix's pipe with its `u` flag).
// Expiry is decided when the token is checked, by purpose (resolve-token.ts).
import { createCipheriv, createHmac, timingSafeEqual } from 'node:crypto';
import { fromBase32, toBase32 } from './base32.ts';
import type { AudienceKeys } from './keys.ts';
import { LEGACY_TOKENS_READ_UNTIL, looksLegacy, openLegacyToken } from './legacy-tokens.ts';

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

// The claims, 16 bytes (one AES block): format and purpose, subscriber id
// (48 bits), publication id (32 bits), issue time in seconds (40 bits).
const FORMAT = 0x10;
const CODE: Record<TokenPurpose, number> = { confirm: 1, unsubscribe: 2, preferences: 3 };
const PURPOSE_OF: Record<number, TokenPurpose> = { 1: 'confirm', 2: 'unsubscribe', 3: 'preferences' };
const MAX_SUBSCRIBER = 2 ** 48 - 1;
const MAX_PUBLICATION = 2 ** 32 - 1;
const CLAIMS_BYTES = 16;
const TAG_BYTES = 16;
const LINK_LENGTH = 43; // base64url of 32 bytes
const CASELESS_LENGTH = 52; // base32 of 32 bytes
/** Tokens issued a little "in the future" are accepted: clocks of two servers differ. */
const CLOCK_SKEW_MS = 5 * 60_000;

function packClaims(claims: TokenClaims): Buffer {
  const { purpose, subscriberId, publicationId } = claims;
  if (!Number.isSafeInteger(subscriberId) || subscriberId < 0 || subscriberId > MAX_SUBSCRIBER) {
    throw new Error(`token subscriber id must be an integer from 0 to 2^48 - 1 (got ${subscriberId})`);
  }
  if (!Number.isSafeInteger(publicationId) || publicationId < 0 || publicationId > MAX_PUBLICATION) {
    throw new Error(`token publication id must be an integer from 0 to 2^32 - 1 (got ${publicationId})`);
  }
  const seconds = Math.floor(claims.issuedAt / 1000);
  if (!Number.isSafeInteger(seconds) || seconds < 0 || seconds >= 2 ** 40) throw new Error('token issue time out of range');
  const out = Buffer.alloc(CLAIMS_BYTES);
  out[0] = FORMAT | CODE[purpose];
  out.writeUIntBE(subscriberId, 1, 6);
  out.writeUInt32BE(publicationId, 7);
  out.writeUIntBE(seconds, 11, 5);
  return out;
}

function unpackClaims(bytes: Buffer): TokenClaims | undefined {
  const purpose = (bytes[0]! & 0xf0) === FORMAT ? PURPOSE_OF[bytes[0]! & 0x0f] : undefined;
  if (!purpose) return undefined;
  return { purpose, subscriberId: bytes.readUIntBE(1, 6), publicationId: bytes.readUInt32BE(7), issuedAt: bytes.readUIntBE(11, 5) * 1000 };
}

function tagOf(keys: AudienceKeys, claims: Buffer): Buffer {
  return createHmac('sha256', keys.key('token:tag')).update(claims).digest().subarray(0, TAG_BYTES);
}

/** AES-256-CTR under the tag as IV; the same call seals and opens. */
function ctr(keys: AudienceKeys, iv: Buffer, data: Buffer): Buffer {
  const cipher = createCipheriv('aes-256-ctr', keys.key('token:seal'), iv);
  return Buffer.concat([cipher.update(data), cipher.final()]);
}

/** Issues a token for one purpose, subscriber and publication; `caseless` for the local part of an address. */
export function signToken(keys: AudienceKeys, claims: TokenClaims, options: { caseless?: boolean } = {}): string {
  const plain = packClaims(claims);
  const tag = tagOf(keys, plain);
  const sealed = Buffer.concat([tag, ctr(keys, tag, plain)]);
  return options.caseless ? toBase32(sealed) : sealed.toString('base64url');
}

/** The token's 32 bytes, from either spelling; undefined for anything else (one spelling per value). */
function decode(token: string): Buffer | undefined {
  if (token.length === LINK_LENGTH && /^[A-Za-z0-9_-]+$/.test(token)) {
    const bytes = Buffer.from(token, 'base64url');
    return bytes.toString('base64url') === token ? bytes : undefined;
  }
  if (token.length === CASELESS_LENGTH) return fromBase32(token.toLowerCase());
  return undefined;
}

/** Checks a sealed token: its tag, in constant time, over what it decrypts to. */
function openToken(keys: AudienceKeys, token: string): TokenCheck {
  const bytes = decode(token);
  if (!bytes || bytes.length !== TAG_BYTES + CLAIMS_BYTES) return { ok: false, reason: 'malformed' };
  const tag = bytes.subarray(0, TAG_BYTES);
  const plain = ctr(keys, tag, bytes.subarray(TAG_BYTES));
  if (!timingSafeEqual(tagOf(keys, plain), tag)) return { ok: false, reason: 'bad-signature' };
  const claims = unpackClaims(plain);
  return claims ? { ok: true, claims } : { ok: false, reason: 'malformed' };
}

export interface VerifyOptions {
  /** The purpose the caller serves; a token of another purpose is refused. */
  purpose: TokenPurpose;
  now: number;
  /** How long the token stays valid after issue; absent: no expiry. */
  maxAgeMs?: number;
}

/** Checks a token from a link: authenticity first, then purpose and age. */
export function verifyToken(keys: AudienceKeys, token: string, options: VerifyOptions): TokenCheck {
  let check: TokenCheck;
  if (looksLegacy(token)) {
    // The first format, for links already in inboxes, until the transition ends.
    if (options.now > LEGACY_TOKENS_READ_UNTIL) return { ok: false, reason: 'malformed' };
    check = openLegacyToken(keys, token);
  } else {
    check = openToken(keys, token);
  }
  if (!check.ok) return check;
  const { claims } = check;
  // Only now, with an authentic token, do we tell a wrong purpose from a forgery.
  if (claims.purpose !== options.purpose) return { ok: false, reason: 'wrong-purpose' };
  if (claims.issuedAt > options.now + CLOCK_SKEW_MS) return { ok: false, reason: 'malformed' };
  if (options.maxAgeMs !== undefined && options.now - claims.issuedAt > options.maxAgeMs) return { ok: false, reason: 'expired' };
  return { ok: true, claims };
}
