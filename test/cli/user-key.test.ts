// `matinale user key EMAIL --key FILE`: a member's public key is stored and
// its fingerprint shown; an expired or weak key is refused, saying why.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openStore } from '../../src/store/db.ts';
import { findPerson } from '../../src/store/people.ts';
import { expiredKey, goodKey, weakRsaKey } from '../helpers/tip-keys.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

function matinale(dataDir: string, args: string[]) {
  const env = { ...process.env, DATA_DIR: dataDir, DATABASE_URL: '', MATINALE_SECRET: '' };
  return spawnSync(process.execPath, ['bin/matinale.js', ...args], { cwd: ROOT, env, encoding: 'utf8' });
}

test('user key stores a good key with its fingerprint and refuses expired and weak ones', { timeout: 180_000 }, async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'matinale-user-key-'));
  t.after(() => rmSync(dataDir, { recursive: true, force: true }));
  assert.equal(matinale(dataDir, ['publication', 'add', 'examples/publications/tech-matin.yaml']).status, 0);
  const good = await goodKey();
  const files = { good: join(dataDir, 'good.asc'), expired: join(dataDir, 'expired.asc'), weak: join(dataDir, 'weak.asc') };
  writeFileSync(files.good, good.publicKey);
  writeFileSync(files.expired, (await expiredKey()).publicKey);
  writeFileSync(files.weak, (await weakRsaKey()).publicKey);

  const ok = matinale(dataDir, ['user', 'key', 'Lucie.Fabre@example.org', '--key', files.good]);
  assert.equal(ok.status, 0, ok.stderr);
  assert.equal(ok.stdout, `lucie.fabre@example.org: key ${good.fingerprint.replace(/(.{4})(?=.)/g, '$1 ')}\n`);

  const expired = matinale(dataDir, ['user', 'key', 'lucie.fabre@example.org', '--key', files.expired]);
  assert.equal(expired.status, 1);
  assert.match(expired.stderr, /expired\.asc: the key .* expired on \d{4}-\d\d-\d\d/);
  const weak = matinale(dataDir, ['user', 'key', 'lucie.fabre@example.org', '--key', files.weak]);
  assert.equal(weak.status, 1);
  assert.match(weak.stderr, /too weak: its primary key is RSA of 1024 bits/);
  const nobody = matinale(dataDir, ['user', 'key', 'nobody@example.org', '--key', files.good]);
  assert.equal(nobody.status, 1);
  assert.match(nobody.stderr, /nobody of the newsroom has the address nobody@example\.org/);

  const store = openStore({ dataDir });
  try {
    const person = await findPerson(store, 'lucie.fabre@example.org');
    assert.match(person?.pgpKey ?? '', /BEGIN PGP PUBLIC KEY BLOCK/, 'the good key stays: refused ones changed nothing');
  } finally {
    await store.close();
  }
});
