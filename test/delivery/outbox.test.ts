// The outbox keeps readers' addresses and personal links: its messages and
// its index are readable by the account running Matinale only.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeClock } from '../../src/clock.ts';
import { outboxTransport } from '../../src/delivery/outbox.ts';

const mode = (path: string) => statSync(path).mode & 0o777;
const message = (n: number) => ({ from: 'bounces@example.org', to: `reader${n}@example.net`, raw: Buffer.from(`To: reader${n}@example.net\r\n\r\nHello\r\n`), messageId: `${n}.matinale@example.org` });

test('messages and index are written 0600 in a 0700 folder, whatever the umask; an index left open by an older version is tightened', { skip: process.platform === 'win32' }, async () => {
  const root = mkdtempSync(join(tmpdir(), 'matinale-outbox-'));
  // The most permissive umask: only the modes the outbox asks for remain.
  const umask = process.umask(0);
  try {
    const dir = join(root, 'outbox');
    const outbox = outboxTransport(dir, new FakeClock(0));
    assert.equal((await outbox.submit(message(1))).ok, true);
    assert.equal(mode(dir), 0o700);
    assert.equal(mode(join(dir, '1.matinale@example.org.eml')), 0o600);
    assert.equal(mode(join(dir, 'index.jsonl')), 0o600);

    const older = join(root, 'older');
    const opened = outboxTransport(older, new FakeClock(0));
    await opened.submit(message(2));
    chmodSync(join(older, 'index.jsonl'), 0o644);
    const again = outboxTransport(older, new FakeClock(0));
    assert.equal(mode(join(older, 'index.jsonl')), 0o644);
    await again.submit(message(3));
    assert.equal(mode(join(older, 'index.jsonl')), 0o600);
    assert.equal(mode(join(older, '3.matinale@example.org.eml')), 0o600);
  } finally {
    process.umask(umask);
    rmSync(root, { recursive: true, force: true });
  }
});
