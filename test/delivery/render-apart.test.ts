// A process that delivers renders a send's message in a child process of its
// own (render-child.ts): the same message as rendered in-process, the
// same refusal of an edition that does not parse, and a `matinale worker`
// whose scheduler starts a send delivers it without ever loading the parser,
// the renderers or MJML (issue 14: its memory stays that of a worker that only
// delivers; bench/results/million.md).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { FakeClock } from '../../src/clock.ts';
import { renderInChild } from '../../src/delivery/render-child.ts';
import { renderSendMessage } from '../../src/delivery/message-render.ts';
import { MessageBuildError, sendMessageInput } from '../../src/delivery/send-message.ts';
import { requestSend } from '../../src/delivery/sends.ts';
import { deliveryParts } from '../../src/delivery/worker.ts';
import { migrateToLatest } from '../../src/store/migrate.ts';
import { getSend, sendRecipients } from '../../src/store/sends.ts';
import { cliBackends } from '../helpers/cli-database.ts';
import { testBackends } from '../helpers/store.ts';
import { tracedRun } from '../helpers/traced-run.ts';
import { PUBLIC, SECRET, seedNewsroom, testConfig } from './newsroom-fixture.ts';

const RENDERING = ['mjml', 'mjml-core', 'typograf', 'micromark', 'mdast-util-from-markdown'];
const RENDERING_FILES = ['src/edition/parse.ts', 'src/render/email.ts', 'src/render/text.ts', 'src/render/edition-parts.ts'];

for (const backend of await testBackends()) {
  test(`${backend.name}: a message rendered apart is the message rendered in-process; an edition that does not parse is refused the same`, { timeout: 120_000 }, async () => {
    const store = await backend.open();
    try {
      const newsroom = await seedNewsroom(store, 3);
      const clock = new FakeClock(Date.parse('2026-03-02T04:00:00Z'));
      const parts = deliveryParts({ store, config: testConfig(), clock });
      const send = await requestSend(parts.sendDeps, { editionId: newsroom.editionId, at: clock.now() + 3_600_000, createdBy: 't' });
      const options = { publicUrl: PUBLIC, mailDomain: parts.mailDomain };

      const here = await renderSendMessage(await sendMessageInput(store, send, options));
      const apart = await renderInChild(await sendMessageInput(store, send, options));
      // Byte for byte, but for the MIME boundary, drawn at random for each rendering.
      const boundless = (m: unknown) => JSON.stringify(m).replace(/=_matinale_[0-9a-f]+/g, '=_matinale_B');
      assert.equal(boundless(apart), boundless(here));
      assert.ok(JSON.stringify(apart).includes('Tech Matin'), 'the rendered message names its publication');

      // A version with an error (an unknown key) is refused in the child as here, with the same reason.
      const version = await store.db.selectFrom('edition_versions').select(['id', 'source']).where('edition_id', '=', newsroom.editionId).executeTakeFirstOrThrow();
      await store.db.updateTable('edition_versions').set({ source: version.source.replace('date: 2026-03-02', 'date: 2026-03-02\nbogus: 1') }).where('id', '=', version.id).execute();
      const input = await sendMessageInput(store, send, options);
      const refusals = await Promise.all([renderSendMessage(input), renderInChild(input)].map((p) => p.then(() => assert.fail('rendered'), (err: unknown) => err)));
      for (const err of refusals) assert.ok(err instanceof MessageBuildError, String(err));
      assert.equal((refusals[1] as Error).message, (refusals[0] as Error).message);
      assert.match((refusals[1] as Error).message, /does not parse/);
    } finally {
      await store.dispose();
    }
  });
}

for (const backend of await cliBackends()) {
  test(`${backend.name}: a worker whose scheduler starts a send delivers it without loading the parser, the renderers or MJML`, { timeout: 180_000 }, async () => {
    const db = await backend.create();
    const store = db.open();
    try {
      await migrateToLatest(store);
      const newsroom = await seedNewsroom(store, 12);
      // Scheduled ten minutes ago for five minutes ago: due, and the worker's scheduler is the one to start it.
      const clock = new FakeClock(Date.now() - 600_000);
      const parts = deliveryParts({ store, config: testConfig(), clock });
      const send = await requestSend(parts.sendDeps, { editionId: newsroom.editionId, at: clock.now() + 300_000, createdBy: 't' });
      assert.equal(send.status, 'scheduled');

      const run = await tracedRun(['worker'], {
        env: { ...db.env, DATABASE_URL: db.env.DATABASE_URL ?? '', MATINALE_SOURCE: '1', SMTP_URL: '', PUBLIC_URL: PUBLIC, MATINALE_SECRET: SECRET },
        // The readers fit in one batch: once it is logged, the send is delivered.
        readyOn: /"msg":"delivery batch"/,
        timeoutMs: 150_000,
      });
      assert.equal(run.status, 0, run.stderr);
      assert.match(run.stderr, /"started":\[\d+\].*"msg":"scheduler"/);

      assert.equal((await getSend(store, send.id))!.status, 'done');
      const rows = await sendRecipients(store, send.id);
      assert.deepEqual(rows.filter((r) => r.state !== 'sent').map((r) => [r.email, r.state]), []);
      assert.equal(rows.length, newsroom.active.length);
      const outbox = join(db.env.DATA_DIR!, 'outbox');
      const mails = readdirSync(outbox).filter((f) => f.endsWith('.eml'));
      assert.equal(mails.length, newsroom.active.length);
      assert.match(readFileSync(join(outbox, mails[0]!), 'utf8'), /^List-Id: Tech Matin <tech-matin\./m);

      for (const name of RENDERING) assert.ok(!run.packages.has(name), `the worker loaded ${name}`);
      for (const file of RENDERING_FILES) assert.ok(!run.files.includes(file), `the worker loaded ${file}`);
    } finally {
      await store.close();
      await db.dispose();
    }
  });
}
