import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac, randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { AddressHasher } from '../../src/audience/address-hasher.ts';
import { AudienceKeys } from '../../src/audience/keys.ts';

const reference = (key: Uint8Array, text: string) => createHmac('sha256', key).update(text).digest('base64url');

test('the hash is createHmac\'s for every length around the block boundaries, and beyond one message buffer', () => {
  const key = randomBytes(32);
  const hasher = new AddressHasher(key);
  // 55 and 56 bytes: the last that fits with its padding in one block, and the first that needs two; 119/120 for two blocks.
  for (let n = 0; n <= 200; n++) assert.equal(hasher.hash('a'.repeat(n)), reference(key, 'a'.repeat(n)), `${n} bytes`);
  for (const n of [1000, 4000, 100_000]) assert.equal(hasher.hash('b'.repeat(n)), reference(key, 'b'.repeat(n)), `${n} bytes`);
  // And short again after a long one (the buffer grew).
  assert.equal(hasher.hash('ann@example.org'), reference(key, 'ann@example.org'));
});

test('the hash is createHmac\'s for any text (UTF-8 of two to four bytes, lone surrogates) and any key up to a block', () => {
  fc.assert(
    fc.property(fc.uint8Array({ minLength: 0, maxLength: 64 }), fc.string({ unit: 'binary', maxLength: 90 }), fc.string({ maxLength: 3 }), (key, text, tail) => {
      // A lone surrogate is written as U+FFFD by both.
      const odd = `${text}\ud800${tail}`;
      const hasher = new AddressHasher(key);
      assert.equal(hasher.hash(text), reference(key, text));
      assert.equal(hasher.hash(odd), reference(key, odd));
      assert.equal(hasher.hashLowerCase(text), reference(key, text.toLowerCase()));
      assert.equal(hasher.hashLowerCase(odd), reference(key, odd.toLowerCase()));
    }),
    { numRuns: 500 },
  );
});

test('hashLowerCase is the hash of the lower-cased text: ASCII lowered as it is copied, the rest by toLowerCase (which may lengthen it)', () => {
  const key = randomBytes(32);
  const hasher = new AddressHasher(key);
  for (const text of ['Ann@Example.ORG', 'AZaz@[]^_`{', 'ZOÉ@BÜCHER.DE', 'İ'.repeat(400), 'x'.repeat(300) + 'İ', '']) {
    assert.equal(hasher.hashLowerCase(text), reference(key, text.toLowerCase()), text.slice(0, 20));
  }
});

test('a key longer than SHA-256\'s block is refused (RFC 2104 would hash it first)', () => {
  assert.throws(() => new AddressHasher(new Uint8Array(65)), /longer than SHA-256's block/);
});

test('AudienceKeys.addressHash is the HMAC of the lower-cased address under the derived address-hash key', () => {
  const keys = new AudienceKeys('s'.repeat(64));
  for (const address of ['Ann@Example.org', 'zoé@bücher.de', 'x'.repeat(64) + '@example.org']) {
    assert.equal(keys.addressHash(address), reference(keys.key('address-hash'), address.toLowerCase()));
  }
});
