// scrypt password hashes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hashPassword, verifyPassword } from '../../src/web/auth/password.ts';

test('a hash verifies its password only, and carries its parameters and salt', async () => {
  const hash = await hashPassword('correct horse battery staple');
  assert.match(hash, /^scrypt\$16384\$8\$1\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
  assert.equal(await verifyPassword('correct horse battery staple', hash), true);
  assert.equal(await verifyPassword('correct horse battery stapler', hash), false);
  assert.notEqual(await hashPassword('correct horse battery staple'), hash, 'a new salt each time');
});

test('the same password in composed and decomposed Unicode matches', async () => {
  const hash = await hashPassword('caf\u00e9-au-lait');
  assert.equal(await verifyPassword('cafe\u0301-au-lait', hash), true);
});

test('a malformed stored hash never verifies', async () => {
  assert.equal(await verifyPassword('x', ''), false);
  assert.equal(await verifyPassword('x', 'md5$abc'), false);
});
