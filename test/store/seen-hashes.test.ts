import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { SeenHashes } from '../../src/store/seen-hashes.ts';

const hash = (i: number) => createHash('sha256').update(String(i)).digest('base64url');

test('a hash is new the first time it is added and seen every time after, far beyond the size it was made for', () => {
  const seen = new SeenHashes(100);
  const start = seen.bytes;
  for (let i = 0; i < 50_000; i++) assert.equal(seen.add(hash(i)), false, `hash ${i} is new`);
  assert.ok(seen.bytes > start, 'the table grew');
  for (let i = 0; i < 50_000; i++) assert.equal(seen.add(hash(i)), true, `hash ${i} was added`);
  // And others are still new (no two of these share 48 bits).
  for (let i = 50_000; i < 60_000; i++) assert.equal(seen.add(hash(i)), false, `hash ${i} is new`);
});

test('only the first 48 bits (eight characters) count: another hash with the same start is taken as seen, for the database to settle', () => {
  const seen = new SeenHashes(10);
  const a = hash(1);
  assert.equal(seen.add(a), false);
  assert.equal(seen.add(`${a.slice(0, 8)}${'A'.repeat(35)}`), true);
  assert.equal(seen.add(`${a.slice(0, 7)}${a[7] === 'A' ? 'B' : 'A'}${a.slice(8)}`), false);
});

test('sized for a million hashes, the table holds 16 MiB', () => {
  assert.equal(new SeenHashes(1_000_000).bytes, 16 * 2 ** 20);
});
