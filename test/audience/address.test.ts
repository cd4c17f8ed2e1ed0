import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseAddress } from '../../src/audience/address.ts';
import { AudienceKeys } from '../../src/audience/keys.ts';

test('addresses are trimmed and their domain lower-cased; the local part keeps its case', () => {
  assert.deepEqual(parseAddress('  Jeanne.Moreau@Example.ORG '), { ok: true, address: 'Jeanne.Moreau@example.org' });
  assert.deepEqual(parseAddress('a+tag@sub.example.co.uk'), { ok: true, address: 'a+tag@sub.example.co.uk' });
});

test('internationalised domains are turned to ASCII', () => {
  assert.deepEqual(parseAddress('anna@Bücher.DE'), { ok: true, address: 'anna@xn--bcher-kva.de' });
  assert.deepEqual(parseAddress('info@例え.jp'), { ok: true, address: 'info@xn--r8jz45g.jp' });
});

test('malformed addresses are refused with a reason', () => {
  const cases: Array<[string, string]> = [
    ['', 'empty'],
    ['no-at-sign.example.org', 'no-at-sign'],
    ['@example.org', 'bad-local-part'],
    ['a..b@example.org', 'bad-local-part'],
    ['.a@example.org', 'bad-local-part'],
    ['a b@example.org', 'bad-local-part'],
    ['"quoted"@example.org', 'bad-local-part'],
    ['jérôme@example.org', 'non-ascii-local-part'],
    ['a@', 'bad-domain'],
    ['a@localhost', 'bad-domain'],
    ['a@example..org', 'bad-domain'],
    ['a@-example.org', 'bad-domain'],
    ['a@192.168.0.1', 'bad-domain'],
    ['a@exa mple.org', 'bad-domain'],
    ['a@example.org>', 'bad-domain'],
    [`${'x'.repeat(65)}@example.org`, 'bad-local-part'],
  ];
  for (const [input, problem] of cases) assert.deepEqual(parseAddress(input), { ok: false, problem }, input);
});

test('the keyed hash ignores case, depends on the secret, and does not contain the address', () => {
  const keys = new AudienceKeys('e'.repeat(64));
  const h = keys.addressHash('Ann@example.org');
  assert.equal(h, keys.addressHash('ann@example.org'));
  assert.notEqual(h, keys.addressHash('ann2@example.org'));
  assert.notEqual(h, new AudienceKeys('f'.repeat(64)).addressHash('ann@example.org'));
  assert.ok(!h.includes('ann'));
  // A key per purpose: the IP hash of a string is not its address hash.
  assert.notEqual(keys.ipHash('ann@example.org'), h.slice(0, 22));
});
