// A member's key is checked before a tip is encrypted to it: a usable key is
// taken with its fingerprint; expired, revoked, weak, private or garbled keys
// are refused with a sentence saying why.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkMemberKey, KeyRefusedError } from '../../src/tips/member-key.ts';
import { expiredKey, goodKey, revokedKey, weakRsaKey } from '../helpers/tip-keys.ts';

const now = () => new Date();

test('a good key is taken, with its fingerprint spaced as GnuPG shows it', async () => {
  const key = await goodKey();
  const checked = await checkMemberKey(key.publicKey, now());
  assert.equal(checked.fingerprint.replace(/ /g, ''), key.fingerprint);
  assert.match(checked.fingerprint, /^([0-9A-F]{4} ){9}[0-9A-F]{4}$/);
  assert.equal(checked.expires, undefined);
  assert.doesNotMatch(checked.armored, /PRIVATE/);
});

test('an expired key is refused, saying when it expired', async () => {
  const key = await expiredKey();
  await assert.rejects(checkMemberKey(key.publicKey, now()), (err: Error) => err instanceof KeyRefusedError && /expired on \d{4}-\d\d-\d\d/.test(err.message));
});

test('a revoked key is refused', async () => {
  const key = await revokedKey();
  await assert.rejects(checkMemberKey(key.publicKey, now()), (err: Error) => err instanceof KeyRefusedError && /revoked/.test(err.message));
});

test('an RSA key under 2048 bits is refused as too weak', async () => {
  const key = await weakRsaKey();
  await assert.rejects(checkMemberKey(key.publicKey, now()), (err: Error) => err instanceof KeyRefusedError && /too weak.*RSA of 1024 bits.*2048/.test(err.message));
});

test('a private key, or text that is no key, is refused', async () => {
  const key = await goodKey();
  await assert.rejects(checkMemberKey(key.privateKey, now()), /private key.*public key only/);
  await assert.rejects(checkMemberKey('hello', now()), /not an OpenPGP public key/);
});
