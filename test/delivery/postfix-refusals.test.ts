// A real Postfix smtpd (test/helpers/postfix.ts) refusing the newsroom, the
// message, or some readers' mailboxes, through the real pool and worker: only
// the mailboxes it says are gone bounce; a refusal of the client or of the
// message pauses the send and suppresses nobody.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { postfixUnavailable, startPostfix } from '../helpers/postfix.ts';
import { testBackends } from '../helpers/store.ts';
import { seedNewsroom } from './newsroom-fixture.ts';
import { assertSendRefused, deliver, readersLost } from './refusal-fixture.ts';

const skip = postfixUnavailable();

for (const backend of await testBackends()) {
  test(`${backend.name}: Postfix refusing the client (smtpd_client_restrictions) pauses the send with its 554 5.7.1 and unsubscribes nobody`, { skip, timeout: 60_000 }, async () => {
    const store = await backend.open();
    const postfix = await startPostfix({ settings: { smtpd_client_restrictions: 'reject' } });
    try {
      const newsroom = await seedNewsroom(store, 30);
      const run = await deliver(store, postfix.url, newsroom);
      await assertSendRefused(store, newsroom, run, /554 5\.7\.1 .*Client host rejected: Access denied/);
      assert.deepEqual(postfix.submitted(), []);
    } finally {
      await postfix.stop();
      await store.dispose();
    }
  });

  test(`${backend.name}: a message over Postfix's message_size_limit pauses the send on the size and unsubscribes nobody`, { skip, timeout: 60_000 }, async () => {
    const store = await backend.open();
    // The edition's message is some 40 KB: far over.
    const postfix = await startPostfix({ settings: { message_size_limit: '10000' } });
    try {
      const newsroom = await seedNewsroom(store, 30);
      const run = await deliver(store, postfix.url, newsroom);
      // 552 5.3.4 at the end of DATA (or 5.3.4 to MAIL FROM … SIZE=, or before any reader when the size is checked first).
      assert.equal(run.send.status, 'paused', JSON.stringify(run.send));
      assert.match(run.send.status_reason!, /5\.3\.4|size/i);
      assert.deepEqual(run.byState('bounced'), []);
      assert.deepEqual(run.byState('sent'), []);
      assert.deepEqual(await readersLost(store, newsroom), { suppressed: [], unsubscribed: [] });
      assert.deepEqual(postfix.submitted(), []);
    } finally {
      await postfix.stop();
      await store.dispose();
    }
  });

  test(`${backend.name}: Postfix's 550 5.1.1 bounces exactly the readers it names; its 552 5.2.2 keeps the reader; the rest go`, { skip, timeout: 60_000 }, async () => {
    const store = await backend.open();
    const gone = ['reader00003@example.net', 'reader00012@example.net'];
    const full = 'reader00005@example.net';
    // Postfix's own processes read the access table.
    const dir = mkdtempSync(join(tmpdir(), 'matinale-access-'));
    chmodSync(dir, 0o755);
    const access = join(dir, 'recipients');
    writeFileSync(access, [...gone.map((a) => `${a} 550 5.1.1 User unknown in virtual mailbox table`), `${full} 552 5.2.2 Mailbox full`].join('\n') + '\n', { mode: 0o644 });
    const postfix = await startPostfix({ settings: { smtpd_recipient_restrictions: `check_recipient_access texthash:${access}` } });
    try {
      const newsroom = await seedNewsroom(store, 30);
      const run = await deliver(store, postfix.url, newsroom);
      assert.equal(run.send.status, 'done', run.send.status_reason ?? '');
      assert.deepEqual(run.byState('bounced'), gone);
      assert.ok(run.rows.filter((r) => r.state === 'bounced').every((r) => /^550 5\.1\.1 <reader\d+@example\.net>: Recipient address rejected: User unknown/.test(r.relay_response!)));
      assert.deepEqual(run.byState('failed'), [full]);
      const sent = run.byState('sent');
      assert.equal(sent.length, newsroom.active.length - 3);
      assert.deepEqual(await readersLost(store, newsroom), { suppressed: gone, unsubscribed: gone });
      for (let i = 0; i < 100 && postfix.submitted().length < sent.length; i++) await new Promise((r) => setTimeout(r, 100));
      assert.deepEqual(postfix.submitted().sort(), sent);
    } finally {
      await postfix.stop();
      await store.dispose();
      rmSync(dir, { recursive: true, force: true });
    }
  });
}
