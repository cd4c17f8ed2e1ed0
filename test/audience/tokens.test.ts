import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AudienceKeys } from '../../src/audience/keys.ts';
import { signToken, verifyToken } from '../../src/audience/tokens.ts';

const keys = new AudienceKeys('c'.repeat(64));
const now = Date.parse('2026-03-02T05:00:00Z');
const DAY = 86_400_000;

test('a token round-trips its claims, compact and URL-safe', () => {
  const token = signToken(keys, { purpose: 'unsubscribe', subscriberId: 123456, publicationId: 7, issuedAt: now });
  assert.match(token, /^[A-Za-z0-9._-]+$/);
  assert.ok(token.length < 50, token);
  const check = verifyToken(keys, token, { purpose: 'unsubscribe', now });
  assert.deepEqual(check, { ok: true, claims: { purpose: 'unsubscribe', subscriberId: 123456, publicationId: 7, issuedAt: now } });
});

test('an altered token is refused, whichever character changed', () => {
  const token = signToken(keys, { purpose: 'unsubscribe', subscriberId: 42, publicationId: 1, issuedAt: now });
  for (let i = 0; i < token.length; i++) {
    if (token[i] === '.') continue;
    // Every other character of the alphabet, including neighbours that differ only in spare bits.
    for (const c of 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_') {
      if (c === token[i]) continue;
      const altered = token.slice(0, i) + c + token.slice(i + 1);
      const check = verifyToken(keys, altered, { purpose: 'unsubscribe', now });
      assert.equal(check.ok, false, `altered at ${i}: ${altered}`);
    }
  }
});

test('a token made up, or signed with another secret, is refused', () => {
  const other = new AudienceKeys('d'.repeat(64));
  const forged = signToken(other, { purpose: 'unsubscribe', subscriberId: 42, publicationId: 1, issuedAt: now });
  assert.deepEqual(verifyToken(keys, forged, { purpose: 'unsubscribe', now }), { ok: false, reason: 'bad-signature' });
  assert.deepEqual(verifyToken(keys, 'u16.1.abc.AAAAAAAAAAAAAAAAAAAAAA', { purpose: 'unsubscribe', now }), { ok: false, reason: 'bad-signature' });
  for (const junk of ['', 'x', '../../etc/passwd', 'u1.1.1', `${forged}x`, forged.replace(/\./g, '')]) {
    assert.equal(verifyToken(keys, junk, { purpose: 'unsubscribe', now }).ok, false, junk);
  }
});

test('a token of another purpose is refused: an unsubscribe token cannot confirm', () => {
  const token = signToken(keys, { purpose: 'unsubscribe', subscriberId: 42, publicationId: 1, issuedAt: now });
  assert.deepEqual(verifyToken(keys, token, { purpose: 'confirm', now }), { ok: false, reason: 'wrong-purpose' });
  // Changing the purpose letter breaks the signature (the key is per purpose too).
  assert.deepEqual(verifyToken(keys, `c${token.slice(1)}`, { purpose: 'confirm', now }), { ok: false, reason: 'bad-signature' });
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

test('a caseless token (for the local part of a mailto) reads in any case, and only its own folding is forgiven', () => {
  const claims = { purpose: 'unsubscribe' as const, subscriberId: 123456, publicationId: 7, issuedAt: now };
  const token = signToken(keys, claims, { caseless: true });
  assert.match(token, /^[a-z0-9.]+$/, 'lower case only');
  assert.ok(`unsubscribe+${token}`.length <= 64, 'fits a local part (RFC 5321: 64 octets)');
  for (const spelling of [token, token.toUpperCase(), token.replace(/[a-m]/g, (c) => c.toUpperCase())]) {
    assert.deepEqual(verifyToken(keys, spelling, { purpose: 'unsubscribe', now }), { ok: true, claims }, spelling);
  }
  // Every other character, except the same letter in the other case.
  for (let i = 0; i < token.length; i++) {
    if (token[i] === '.') continue;
    for (const c of 'abcdefghijklmnopqrstuvwxyz0123456789-_') {
      if (c === token[i]) continue;
      const altered = token.slice(0, i) + c + token.slice(i + 1);
      assert.equal(verifyToken(keys, altered, { purpose: 'unsubscribe', now }).ok, false, `altered at ${i}: ${altered}`);
    }
  }
  // The case-sensitive token of a link stays case-sensitive.
  const linkToken = signToken(keys, claims);
  assert.equal(verifyToken(keys, linkToken.toLowerCase(), { purpose: 'unsubscribe', now }).ok, false);
  assert.equal(verifyToken(keys, signToken(new AudienceKeys('d'.repeat(64)), claims, { caseless: true }), { purpose: 'unsubscribe', now }).ok, false, 'another secret');
});
