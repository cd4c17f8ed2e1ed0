// Erasure reaches the local outbox: after `eraseSubscriber`, no message file
// and no index line holds the erased address, and everyone else's messages
// are as they were (on every backend, with messages written by the real
// outbox transport and one file of an older version that has no index line).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { testBackends } from '../helpers/store.ts';
import { audienceFixture } from '../audience/audience-fixture.ts';
import { subscribe } from '../../src/audience/subscribe.ts';
import { eraseSubscriber } from '../../src/audience/data-rights.ts';
import { outboxTransport } from '../../src/delivery/outbox.ts';
import { outboxCopies } from '../../src/delivery/outbox-erasure.ts';

function message(to: string, id: string): { from: string; to: string; raw: Buffer; messageId: string } {
  const raw = `From: news@news.test\r\nTo: ${to}\r\nMessage-ID: <${id}>\r\nSubject: Today\r\n\r\nThis mail was sent to ${to}.\r\n`;
  return { from: 'bounces@news.test', to, raw: Buffer.from(raw), messageId: id };
}

/** Every byte the outbox holds, files and index alike. */
function outboxText(dir: string): string {
  return readdirSync(dir)
    .map((f) => readFileSync(join(dir, f), 'utf8'))
    .join('\n');
}

for (const backend of await testBackends()) {
  test(`${backend.name}: erasing a subscriber deletes their messages and index lines from the outbox, and nobody else's`, async () => {
    const f = await audienceFixture(backend);
    const dataDir = mkdtempSync(join(tmpdir(), 'matinale-erase-'));
    const dir = join(dataDir, 'outbox');
    try {
      await subscribe(f.deps, { publicationSlug: 'tech-matin', email: 'ann@example.org', name: 'Ann', ip: '198.51.100.7' });
      const outbox = outboxTransport(dir, f.clock);
      for (const m of [message('ann@example.org', '1.1.matinale@news.test'), message('bob@example.org', '1.2.matinale@news.test'), message('Ann@EXAMPLE.org', 't-9@news.test')]) {
        assert.equal((await outbox.submit(m)).ok, true);
      }
      // An older version kept audience mails without an index line: judged by its To header (folded here).
      writeFileSync(join(dir, 'old-confirmation.eml'), 'From: news@news.test\r\nTo:\r\n "Ann" <ann@example.org>\r\nSubject: Confirm\r\n\r\nConfirm, Ann.\r\n');
      writeFileSync(join(dir, 'old-other.eml'), 'From: news@news.test\r\nTo: carl@example.org\r\nSubject: Confirm\r\n\r\nConfirm.\r\n');
      assert.match(outboxText(dir), /ann@example\.org/i);

      assert.equal(await eraseSubscriber(f.deps, 'ANN@example.org', outboxCopies(dataDir)), true);

      assert.doesNotMatch(outboxText(dir), /ann@example\.org/i);
      assert.deepEqual(readdirSync(dir).filter((x) => x.endsWith('.eml')).sort(), ['1.2.matinale@news.test.eml', 'old-other.eml']);
      const index = readFileSync(join(dir, 'index.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { to: string; file: string });
      assert.deepEqual(index.map((e) => [e.to, e.file]), [['bob@example.org', '1.2.matinale@news.test.eml']]);
      assert.equal(readdirSync(dir).filter((x) => x.includes('erasing')).length, 0, 'no temporary file left');

      // A message written after the erasure (a send still running) is cleared by the next erasure, which finds no subscriber.
      await outbox.submit(message('ann@example.org', '1.3.matinale@news.test'));
      assert.equal(await eraseSubscriber(f.deps, 'ann@example.org', outboxCopies(dataDir)), false);
      assert.doesNotMatch(outboxText(dir), /ann@example\.org/i);
    } finally {
      await f.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
}
