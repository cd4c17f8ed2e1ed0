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
import * as crypto from 'node:crypto';
import { createCipheriv, createHash, timingSafeEqual, type Cipher } from 'node:crypto';
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

// Every mail carries two sealed tokens (unsubscribe, preferences), so both
// steps are computed without a new crypto object per token (a third of the
// cost): the HMAC as RFC 2104 defines it, over two one-shot SHA-256 hashes of
// the padded keys; and, the claims being one AES block, CTR's one keystream
// block, AES(seal key, tag) (NIST SP 800-38A, 6.5: the first counter block is
// the IV), from one ECB cipher kept per set of keys. The bytes are those of
// createHmac and aes-256-ctr (tokens.test.ts checks both against Node's).
const HMAC_BLOCK = 64;

/** One-shot SHA-256: crypto.hash from Node 20.12, a Hash object before. */
const sha256: (data: Buffer) => Buffer =
  typeof crypto.hash === 'function' ? (data) => crypto.hash('sha256', data, 'buffer') : (data) => createHash('sha256').update(data).digest();

/** What sealing and opening need, derived once per set of keys. */
interface Sealer {
  /** Tag key XOR ipad, with room for the claims after it. */
  inner: Buffer;
  /** Tag key XOR opad, with room for the inner hash after it. */
  outer: Buffer;
  /** AES-256 of single blocks under the seal key. */
  block: Cipher;
}

const sealers = new WeakMap<AudienceKeys, Sealer>();

function sealerOf(keys: AudienceKeys): Sealer {
  let sealer = sealers.get(keys);
  if (!sealer) {
    const key = keys.key('token:tag');
    // RFC 2104 hashes a key longer than the block first; ours are 32 bytes, so the pad is the key itself.
    if (key.length > HMAC_BLOCK) throw new Error(`the token tag key is ${key.length} bytes, more than SHA-256's block`);
    const inner = Buffer.alloc(HMAC_BLOCK + CLAIMS_BYTES, 0x36);
    const outer = Buffer.alloc(HMAC_BLOCK + 32, 0x5c);
    for (let i = 0; i < key.length; i++) {
      inner[i] = 0x36 ^ key[i]!;
      outer[i] = 0x5c ^ key[i]!;
    }
    const block = createCipheriv('aes-256-ecb', keys.key('token:seal'), null);
    // Whole blocks only, never finished: each update is one AES of its block.
    block.setAutoPadding(false);
    sealer = { inner, outer, block };
    sealers.set(keys, sealer);
  }
  return sealer;
}

/** HMAC-SHA256(tag key, claims) cut to 128 bits. */
function tagOf(sealer: Sealer, claims: Buffer): Buffer {
  claims.copy(sealer.inner, HMAC_BLOCK);
  sha256(sealer.inner).copy(sealer.outer, HMAC_BLOCK);
  return sha256(sealer.outer).subarray(0, TAG_BYTES);
}

/** AES-256-CTR of one block under the tag as IV; the same call seals and opens. */
function ctr(sealer: Sealer, iv: Buffer, data: Buffer, out: Buffer, at: number): void {
  const keystream = sealer.block.update(iv);
  for (let i = 0; i < CLAIMS_BYTES; i++) out[at + i] = data[i]! ^ keystream[i]!;
}

/** The 32 bytes of a token: tag, then the claims sealed under it. */
function seal(keys: AudienceKeys, claims: TokenClaims): Buffer {
  const sealer = sealerOf(keys);
  const plain = packClaims(claims);
  const tag = tagOf(sealer, plain);
  const sealed = Buffer.allocUnsafe(TAG_BYTES + CLAIMS_BYTES);
  tag.copy(sealed, 0);
  ctr(sealer, tag, plain, sealed, TAG_BYTES);
  return sealed;
}

/** Issues a token for one purpose, subscriber and publication; `caseless` for the local part of an address. */
export function signToken(keys: AudienceKeys, claims: TokenClaims, options: { caseless?: boolean } = {}): string {
  const sealed = seal(keys, claims);
  return options.caseless ? toBase32(sealed) : sealed.toString('base64url');
}

/** One token in both spellings (the same claims, sealed once): for a link and the local part of an address. */
export function signTokenBothWays(keys: AudienceKeys, claims: TokenClaims): { link: string; caseless: string } {
  const sealed = seal(keys, claims);
  return { link: sealed.toString('base64url'), caseless: toBase32(sealed) };
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
  const sealer = sealerOf(keys);
  const tag = bytes.subarray(0, TAG_BYTES);
  const plain = Buffer.allocUnsafe(CLAIMS_BYTES);
  ctr(sealer, tag, bytes.subarray(TAG_BYTES), plain, 0);
  if (!timingSafeEqual(tagOf(sealer, plain), tag)) return { ok: false, reason: 'bad-signature' };
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
