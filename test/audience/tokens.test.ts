import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createCipheriv, createHmac } from 'node:crypto';
import fc from 'fast-check';
import { AudienceKeys } from '../../src/audience/keys.ts';
import { signToken, verifyToken, type TokenClaims, type TokenPurpose } from '../../src/audience/tokens.ts';
import { messageLinks } from '../../src/audience/links.ts';
import { LEGACY_TOKENS_READ_UNTIL } from '../../src/audience/legacy-tokens.ts';
import { toBase32 } from '../../src/audience/base32.ts';

const keys = new AudienceKeys('c'.repeat(64));
const now = Date.parse('2026-03-02T05:00:00Z');
const DAY = 86_400_000;
const LINK_ALPHABET = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_';

const purposes = fc.constantFrom<TokenPurpose>('confirm', 'unsubscribe', 'preferences');
const claimsArb = fc.record({
  purpose: purposes,
  subscriberId: fc.integer({ min: 0, max: 2 ** 48 - 2 }),
  publicationId: fc.integer({ min: 0, max: 2 ** 32 - 1 }),
  // Whole seconds from 2001 to 2100: the token keeps the second.
  issuedAt: fc.integer({ min: 1_000_000_000, max: 4_102_444_800 }).map((s) => s * 1000),
}).map((c): TokenClaims => ({ ...c })); // a plain object, as deepEqual compares prototypes

/** The longest run of characters found in both strings (anywhere in each). */
function longestCommonRun(a: string, b: string): number {
  let best = 0;
  for (let i = 0; i < a.length; i++) {
    for (let j = 0; j < b.length; j++) {
      let k = 0;
      while (a[i + k] !== undefined && a[i + k] === b[j + k]) k++;
      best = Math.max(best, k);
    }
  }
  return best;
}

function bitsApart(a: Buffer, b: Buffer): number {
  let n = 0;
  for (let i = 0; i < a.length; i++) for (let x = a[i]! ^ b[i]!; x; x &= x - 1) n++;
  return n;
}

const decoded = (token: string) => (token.length === 43 ? Buffer.from(token, 'base64url') : Buffer.from(token));

test('a token round-trips its claims, in both spellings, with one length whatever the ids', () => {
  fc.assert(
    fc.property(claimsArb, fc.boolean(), (claims, caseless) => {
      const token = signToken(keys, claims, { caseless });
      assert.equal(token.length, caseless ? 52 : 43, token);
      assert.match(token, caseless ? /^[a-z2-7]+$/ : /^[A-Za-z0-9_-]+$/);
      assert.deepEqual(verifyToken(keys, token, { purpose: claims.purpose, now: claims.issuedAt }), { ok: true, claims });
    }),
  );
});

test('tokens of consecutive subscribers, or a second apart, share no visible structure', () => {
  fc.assert(
    fc.property(claimsArb, fc.boolean(), fc.constantFrom('subscriber', 'second', 'publication'), (claims, caseless, step) => {
      const next: TokenClaims = {
        ...claims,
        ...(step === 'subscriber' ? { subscriberId: claims.subscriberId + 1 } : {}),
        ...(step === 'second' ? { issuedAt: claims.issuedAt + 1000 } : {}),
        ...(step === 'publication' ? { publicationId: (claims.publicationId + 1) % 2 ** 32 } : {}),
      };
      const a = signToken(keys, claims, { caseless });
      const b = signToken(keys, next, { caseless });
      // Random strings of this length share a run of 6 characters about once in a million pairs.
      assert.ok(longestCommonRun(a, b) < 6, `${a} ${b}`);
      // Half the 256 bits differ on average; a readable field would leave most of them equal.
      const bytesA = caseless ? Buffer.from(a) : decoded(a);
      const bytesB = caseless ? Buffer.from(b) : decoded(b);
      if (!caseless) assert.ok(bitsApart(bytesA, bytesB) > 80, `${a} ${b}`);
    }),
  );
});

test('a token altered anywhere is refused, in whatever character or bit', () => {
  fc.assert(
    fc.property(claimsArb, fc.boolean(), fc.nat(), fc.nat(), (claims, caseless, at, pick) => {
      const token = signToken(keys, claims, { caseless });
      const i = at % token.length;
      const alphabet = caseless ? 'abcdefghijklmnopqrstuvwxyz234567' : LINK_ALPHABET;
      const others = [...alphabet].filter((c) => c.toLowerCase() !== token[i]!.toLowerCase() || (!caseless && c !== token[i]));
      const altered = token.slice(0, i) + others[pick % others.length]! + token.slice(i + 1);
      assert.equal(verifyToken(keys, altered, { purpose: claims.purpose, now: claims.issuedAt }).ok, false, `${token} → ${altered}`);
    }),
  );
  fc.assert(
    fc.property(claimsArb, fc.integer({ min: 0, max: 255 }), (claims, bit) => {
      const bytes = Buffer.from(signToken(keys, claims), 'base64url');
      bytes[bit >> 3]! ^= 1 << (bit & 7);
      assert.deepEqual(verifyToken(keys, bytes.toString('base64url'), { purpose: claims.purpose, now: claims.issuedAt }), { ok: false, reason: 'bad-signature' });
    }),
  );
});

test('every character of a token is checked, including the spare bits of the last one', () => {
  const token = signToken(keys, { purpose: 'unsubscribe', subscriberId: 42, publicationId: 1, issuedAt: now });
  for (let i = 0; i < token.length; i++) {
    for (const c of LINK_ALPHABET) {
      if (c === token[i]) continue;
      const altered = token.slice(0, i) + c + token.slice(i + 1);
      assert.equal(verifyToken(keys, altered, { purpose: 'unsubscribe', now }).ok, false, `altered at ${i}: ${altered}`);
    }
  }
});

test('a token made up, or signed with another secret, is refused', () => {
  const other = new AudienceKeys('d'.repeat(64));
  const forged = signToken(other, { purpose: 'unsubscribe', subscriberId: 42, publicationId: 1, issuedAt: now });
  assert.deepEqual(verifyToken(keys, forged, { purpose: 'unsubscribe', now }), { ok: false, reason: 'bad-signature' });
  assert.deepEqual(verifyToken(keys, 'A'.repeat(43), { purpose: 'unsubscribe', now }), { ok: false, reason: 'bad-signature' });
  for (const junk of ['', 'x', '../../etc/passwd', 'u1.1.1', `${forged}x`, forged.slice(1), `${'a'.repeat(51)}8`]) {
    assert.equal(verifyToken(keys, junk, { purpose: 'unsubscribe', now }).ok, false, junk);
  }
});

test('a token of another purpose is refused: an unsubscribe token cannot confirm', () => {
  const token = signToken(keys, { purpose: 'unsubscribe', subscriberId: 42, publicationId: 1, issuedAt: now });
  assert.deepEqual(verifyToken(keys, token, { purpose: 'confirm', now }), { ok: false, reason: 'wrong-purpose' });
  assert.deepEqual(verifyToken(keys, token, { purpose: 'preferences', now }), { ok: false, reason: 'wrong-purpose' });
});

test('ids a token cannot hold are refused when it is issued, not wrapped', () => {
  for (const [subscriberId, publicationId] of [[2 ** 48, 1], [-1, 1], [1.5, 1], [1, 2 ** 32], [1, -1]] as const) {
    assert.throws(() => signToken(keys, { purpose: 'confirm', subscriberId, publicationId, issuedAt: now }), /token (subscriber|publication) id/);
  }
});

test('confirmation tokens expire; unsubscribe tokens keep working for years', () => {
  const confirm = signToken(keys, { purpose: 'confirm', subscriberId: 1, publicationId: 1, issuedAt: now });
  assert.equal(verifyToken(keys, confirm, { purpose: 'confirm', now: now + 6 * DAY, maxAgeMs: 7 * DAY }).ok, true);
  assert.deepEqual(verifyToken(keys, confirm, { purpose: 'confirm', now: now + 8 * DAY, maxAgeMs: 7 * DAY }), { ok: false, reason: 'expired' });
  const unsubscribe = signToken(keys, { purpose: 'unsubscribe', subscriberId: 1, publicationId: 1, issuedAt: now });
  assert.equal(verifyToken(keys, unsubscribe, { purpose: 'unsubscribe', now: now + 5 * 365 * DAY }).ok, true);
});

test('a token issued in the future (beyond clock skew) is refused', () => {
  const token = signToken(keys, { purpose: 'confirm', subscriberId: 1, publicationId: 1, issuedAt: now + DAY });
  assert.equal(verifyToken(keys, token, { purpose: 'confirm', now }).ok, false);
});

test('a caseless token (for the local part of a mailto) fits 64 octets and reads in any case; a link token does not fold', () => {
  const claims = { purpose: 'unsubscribe' as const, subscriberId: 2 ** 48 - 1, publicationId: 2 ** 32 - 1, issuedAt: now };
  const token = signToken(keys, claims, { caseless: true });
  assert.ok(`unsubscribe+${token}`.length <= 64, 'fits a local part (RFC 5321: 64 octets)');
  for (const spelling of [token, token.toUpperCase(), token.replace(/[a-m]/g, (c) => c.toUpperCase())]) {
    assert.deepEqual(verifyToken(keys, spelling, { purpose: 'unsubscribe', now }), { ok: true, claims }, spelling);
  }
  const linkToken = signToken(keys, claims);
  assert.equal(verifyToken(keys, linkToken.toLowerCase(), { purpose: 'unsubscribe', now }).ok, false);
});

/** A token of the first format, made as it was issued before tokens were sealed. */
function legacyToken(claims: TokenClaims, caseless = false): string {
  const letter = claims.purpose[0];
  const body = `${letter}${claims.subscriberId.toString(36)}.${claims.publicationId.toString(36)}.${Math.floor(claims.issuedAt / 1000).toString(36)}`;
  const digest = createHmac('sha256', keys.key(`token:${claims.purpose}`)).update(body).digest().subarray(0, 16);
  return `${body}.${caseless ? toBase32(digest) : digest.toString('base64url')}`;
}

test('tokens of the first format, already in inboxes, are read until the transition ends, then refused', () => {
  const claims: TokenClaims = { purpose: 'unsubscribe', subscriberId: 123456, publicationId: 7, issuedAt: now };
  for (const token of [legacyToken(claims), legacyToken(claims, true), legacyToken(claims, true).toUpperCase()]) {
    assert.deepEqual(verifyToken(keys, token, { purpose: 'unsubscribe', now }), { ok: true, claims }, token);
    assert.deepEqual(verifyToken(keys, token, { purpose: 'unsubscribe', now: LEGACY_TOKENS_READ_UNTIL + 1 }), { ok: false, reason: 'malformed' });
    assert.deepEqual(verifyToken(keys, token, { purpose: 'confirm', now }), { ok: false, reason: 'wrong-purpose' });
  }
  const token = legacyToken(claims);
  assert.deepEqual(verifyToken(keys, `${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`, { purpose: 'unsubscribe', now }), { ok: false, reason: 'bad-signature' });
  assert.deepEqual(verifyToken(keys, `u2n9j${token.slice(5)}`, { purpose: 'unsubscribe', now }), { ok: false, reason: 'bad-signature' });
  // Their expiry by purpose still holds.
  const confirm = legacyToken({ ...claims, purpose: 'confirm' });
  assert.deepEqual(verifyToken(keys, confirm, { purpose: 'confirm', now: now + 8 * DAY, maxAgeMs: 7 * DAY }), { ok: false, reason: 'expired' });
});

/** A sealed token made with Node's HMAC and AES-256-CTR objects, as tokens.ts first made them. */
function referenceToken(claims: TokenClaims, caseless = false): string {
  const plain = Buffer.alloc(16);
  plain[0] = 0x10 | { confirm: 1, unsubscribe: 2, preferences: 3 }[claims.purpose];
  plain.writeUIntBE(claims.subscriberId, 1, 6);
  plain.writeUInt32BE(claims.publicationId, 7);
  plain.writeUIntBE(Math.floor(claims.issuedAt / 1000), 11, 5);
  const tag = createHmac('sha256', keys.key('token:tag')).update(plain).digest().subarray(0, 16);
  const cipher = createCipheriv('aes-256-ctr', keys.key('token:seal'), tag);
  const sealed = Buffer.concat([tag, cipher.update(plain), cipher.final()]);
  return caseless ? toBase32(sealed) : sealed.toString('base64url');
}

test('tokens are the bytes of HMAC-SHA256 and AES-256-CTR, so that every link already in an inbox still opens', () => {
  // Issued by the first version of this format (pinned: a change of bytes breaks every link mailed before it).
  const claims: TokenClaims = { purpose: 'unsubscribe', subscriberId: 123456, publicationId: 7, issuedAt: now };
  assert.equal(signToken(keys, claims), '6LqW3xm4YCpQb-jAIbD0_CkdoMPUiWZwgy-rH-rtxXQ');
  assert.equal(signToken(keys, claims, { caseless: true }), '5c5jnxyzxbqcuudp5dacdmhu7qur3igd2sewm4edf6vr72xnyv2a');
  assert.equal(signToken(keys, { ...claims, purpose: 'preferences' }), 'zStBdTRL_4J49SumGuKcyVZ3AYd3c79tehgzjZ_jZMY');
  fc.assert(
    fc.property(claimsArb, fc.boolean(), (c, caseless) => {
      const reference = referenceToken(c, caseless);
      assert.equal(signToken(keys, c, { caseless }), reference);
      assert.deepEqual(verifyToken(keys, reference, { purpose: c.purpose, now: c.issuedAt }), { ok: true, claims: c });
    }),
  );
});

test('the links of a message: one unsubscribe token for the URL and the mailto, a preferences token, each opening to its reader', () => {
  const l = messageLinks(keys, 'https://techmatin.example.org/', 'news.example.org', 123456, 7, now + 999);
  const claims: TokenClaims = { purpose: 'unsubscribe', subscriberId: 123456, publicationId: 7, issuedAt: now };
  assert.equal(l.unsubscribeUrl, `https://techmatin.example.org/unsubscribe/${referenceToken(claims)}`);
  assert.equal(l.unsubscribeMailto, `mailto:unsubscribe+${referenceToken(claims, true)}@news.example.org?subject=unsubscribe`);
  assert.equal(l.preferencesUrl, `https://techmatin.example.org/preferences/${referenceToken({ ...claims, purpose: 'preferences' })}`);
  // Another PUBLIC_URL in the same process gets its own links.
  assert.match(messageLinks(keys, 'https://other.example.org/news', 'news.example.org', 1, 7, now).preferencesUrl, /^https:\/\/other\.example\.org\/news\/preferences\/[A-Za-z0-9_-]{43}$/);
});
