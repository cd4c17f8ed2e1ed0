// The KDF between a receipt code and its reply key: scrypt with stated,
// memory-hard parameters; the same code and salt give the same passphrase,
// another code or salt another one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { scryptSync } from 'node:crypto';
import { REPLY_KDF, replyPassphrase } from '../../src/tips/reply-kdf.ts';

test('the parameters are scrypt N = 2^15, r = 8, p = 1: 32 MiB per guess, 32-byte key', () => {
  assert.deepEqual({ ...REPLY_KDF }, { N: 32768, r: 8, p: 1, keyLength: 32, maxmem: 64 * 1024 * 1024 });
  assert.equal(128 * REPLY_KDF.N * REPLY_KDF.r, 32 * 1024 * 1024);
  assert.ok(Object.isFrozen(REPLY_KDF));
});

test('the passphrase is scrypt of the code under the salt, and depends on both', async () => {
  const salt = Buffer.alloc(16, 7);
  const code = 'abri acier adage adieu able abus accu ache';
  const expected = scryptSync(code, salt, 32, { N: 32768, r: 8, p: 1, maxmem: 64 * 1024 * 1024 }).toString('base64url');
  assert.equal(await replyPassphrase(code, salt), expected);
  assert.notEqual(await replyPassphrase(code, Buffer.alloc(16, 8)), expected);
  assert.notEqual(await replyPassphrase(code.replace('ache', 'acon'), salt), expected);
});
