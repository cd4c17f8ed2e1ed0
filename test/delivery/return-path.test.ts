import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac, hkdfSync } from 'node:crypto';
import { ReturnPaths } from '../../src/delivery/return-path.ts';
import { AudienceKeys } from '../../src/audience/keys.ts';

const SECRET = 'e'.repeat(64);
const paths = new ReturnPaths(SECRET, 'News.Example.org');

test('a return path names its send and ledger row, and reads back', () => {
  const address = paths.addressFor(42, 1_234_567);
  assert.match(address, /^bounces\+42-1234567-[0-9a-f]{16}@news\.example\.org$/);
  assert.ok(address.split('@')[0]!.length <= 64, 'a local part fits SMTP');
  assert.deepEqual(paths.verify(address), { ok: true, sendId: 42, recipientId: 1_234_567 });
  // Mail systems that fold case on the way back do not break it.
  assert.deepEqual(paths.verify(address.toUpperCase()), { ok: true, sendId: 42, recipientId: 1_234_567 });
});

test('a tampered, moved, unsigned or foreign return path is refused', () => {
  const address = paths.addressFor(42, 7);
  const [local, domain] = address.split('@') as [string, string];
  const tag = local.slice(local.lastIndexOf('-') + 1);
  const flipped = tag.slice(0, -1) + (tag.endsWith('0') ? '1' : '0');
  assert.deepEqual(paths.verify(`bounces+42-7-${flipped}@${domain}`), { ok: false, reason: 'bad-signature' });
  // The tag of row 7 does not vouch for row 8.
  assert.deepEqual(paths.verify(`bounces+42-8-${tag}@${domain}`), { ok: false, reason: 'bad-signature' });
  assert.deepEqual(paths.verify(`bounces+42-7-${tag.slice(0, 12)}@${domain}`), { ok: false, reason: 'bad-signature' });
  assert.deepEqual(paths.verify('bounces+42-7@news.example.org'), { ok: false, reason: 'malformed' }, 'the unsigned form of earlier versions');
  assert.deepEqual(paths.verify(`bounces+42-7-${tag}@elsewhere.example`), { ok: false, reason: 'other-domain' });
  assert.deepEqual(new ReturnPaths('f'.repeat(64), 'news.example.org').verify(address), { ok: false, reason: 'bad-signature' }, 'another secret');
  for (const junk of ['', 'bounces+@news.example.org', 'unsubscribe+x@news.example.org', `bounces+-1-7-${tag}@${domain}`, `${address}@x`]) {
    assert.equal(paths.verify(junk).ok, false, junk);
  }
});

test('the return-path key is its own: no audience key computes its tag', () => {
  const address = paths.addressFor(3, 4);
  const tag = address.split('@')[0]!.split('-').at(-1)!;
  const keys = new AudienceKeys(SECRET);
  for (const purpose of ['address-hash', 'ip-hash', 'token:confirm', 'token:unsubscribe', 'token:preferences'] as const) {
    assert.notEqual(createHmac('sha256', keys.key(purpose)).update('3-4').digest('hex').slice(0, 16), tag, purpose);
  }
  const sameInfoOtherSalt = Buffer.from(hkdfSync('sha256', SECRET, 'matinale-audience', 'matinale:return-path', 32));
  assert.notEqual(createHmac('sha256', sameInfoOtherSalt).update('3-4').digest('hex').slice(0, 16), tag);
});

test('a transactional mail’s return path names the mail, reads back only with our tag, and is never a ledger row', () => {
  const address = paths.addressForMail('0123456789abcdef');
  assert.match(address, /^bounces\+t0123456789abcdef-[0-9a-f]{16}@news\.example\.org$/);
  assert.equal(paths.verifyMail(address), '0123456789abcdef');
  assert.equal(paths.verifyMail(address.toUpperCase()), '0123456789abcdef');
  assert.equal(paths.verify(address).ok, false, 'not a send’s row');
  const tag = address.slice(address.lastIndexOf('-') + 1, address.indexOf('@'));
  assert.equal(paths.verifyMail(`bounces+t0123456789abcdee-${tag}@news.example.org`), undefined, 'the tag of one mail does not vouch for another');
  assert.equal(paths.verifyMail(`bounces+t0123456789abcdef-${tag}@elsewhere.example`), undefined);
  assert.equal(new ReturnPaths('f'.repeat(64), 'news.example.org').verifyMail(address), undefined, 'another secret');
  assert.equal(paths.verifyMail(paths.addressFor(42, 7)), undefined, 'a send’s return path is no transactional mail');
  assert.throws(() => paths.addressForMail('not-hex'), /hex/);
});
