// The audience's own mails (confirmation, welcome) kept in the outbox when no
// relay is set hold the reader's address and signed links: owner-only files.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { outboxMailer } from '../../src/audience/mailer.ts';

test('the outbox mailer writes each message readable by its owner only, whatever the umask', async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'matinale-outbox-mailer-'));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const dir = join(root, 'outbox');
  const previous = process.umask(0);
  try {
    await outboxMailer(dir).send({ from: 'Tech Matin <matin@news.example.org>', to: 'reader@example.org', subject: 'Confirmez', text: 'https://news.example.org/c/abc', html: '<p>ok</p>' });
  } finally {
    process.umask(previous);
  }
  assert.equal((statSync(dir).mode & 0o777).toString(8), '700');
  const [file, ...others] = readdirSync(dir);
  assert.equal(others.length, 0);
  assert.equal((statSync(join(dir, file!)).mode & 0o777).toString(8), '600');
  assert.match(readFileSync(join(dir, file!), 'utf8'), /^To: reader@example\.org/m);
});
