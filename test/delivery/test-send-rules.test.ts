// The addresses of every test send (dashboard and `matinale send --test`
// alike go through requestSend), checked as subscribers' addresses are.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_TEST_ADDRESSES, TestSendRefused, testAddresses } from '../../src/delivery/test-send-rules.ts';

test('test addresses: normalised as a subscriber’s, the first bad one named, at most ten', () => {
  assert.deepEqual(testAddresses(['Ann@EXAMPLE.org', 'ann@example.org', 'Ann@example.org']), ['Ann@example.org', 'ann@example.org']);
  for (const bad of ['a\x01b@example.org', 'a b@example.org', 'a@b@example.org', 'a@example', 'a@exa\nmple.org']) {
    assert.throws(() => testAddresses(['ok@example.org', bad]), (err: unknown) => {
      assert.ok(err instanceof TestSendRefused);
      assert.equal(err.code, 'bad-address');
      assert.ok(err.message.includes(JSON.stringify(bad)), err.message);
      // eslint-disable-next-line no-control-regex
      assert.doesNotMatch(err.message, /[\x00-\x1f]/, 'the message itself holds no control character');
      return true;
    });
  }
  assert.throws(() => testAddresses([]), /at least one address/);
  const many = Array.from({ length: MAX_TEST_ADDRESSES + 1 }, (_, i) => `r${i}@example.org`);
  assert.throws(() => testAddresses(many), /at most 10 addresses/);
});
