// The configuration's folders: DATA_DIR and the outbox hold personal data,
// so they are created owner-only (0700), whatever the umask.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../src/config.ts';

const mode = (path: string) => statSync(path).mode & 0o777;

test('DATA_DIR, the outbox and the secret are created for their owner only', (t) => {
  const root = mkdtempSync(join(tmpdir(), 'matinale-config-'));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const previous = process.umask(0o002); // a permissive umask must not widen them
  try {
    const dataDir = join(root, 'data');
    loadConfig({ DATA_DIR: dataDir });
    assert.equal(mode(dataDir).toString(8), '700');
    assert.equal(mode(join(dataDir, 'outbox')).toString(8), '700');
    assert.equal((mode(join(dataDir, 'secret')) & 0o077).toString(8), '0');
  } finally {
    process.umask(previous);
  }
});

test('an outbox an older version left open is tightened; an existing DATA_DIR keeps its modes', (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'matinale-config-'));
  t.after(() => rmSync(dataDir, { recursive: true, force: true }));
  chmodSync(dataDir, 0o755);
  mkdirSync(join(dataDir, 'outbox'));
  chmodSync(join(dataDir, 'outbox'), 0o755);
  // With a relay set, an outbox left from before is still Matinale's, and tightened.
  loadConfig({ DATA_DIR: dataDir, SMTP_URL: 'smtp://relay.example.net:587' });
  assert.equal(mode(join(dataDir, 'outbox')).toString(8), '700');
  assert.equal(mode(dataDir).toString(8), '755');
});
