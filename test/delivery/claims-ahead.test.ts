// A worker claims its next batch while the last messages of a full batch are
// on the wire (claims-ahead.ts): the next runBatch delivers those rows, a
// batch claimed ahead that nobody takes goes back to pending untried when the
// worker closes, and every reader is mailed once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../../src/clock.ts';
import { storeLedger } from '../../src/delivery/store-ledger.ts';
import { requestSend } from '../../src/delivery/sends.ts';
import { DeliveryWorker } from '../../src/delivery/worker-batch.ts';
import { deliveryParts } from '../../src/delivery/worker.ts';
import type { Transport } from '../../src/delivery/transport.ts';
import { sendRecipients } from '../../src/store/sends.ts';
import { testBackends } from '../helpers/store.ts';
import { memoryLogger, seedNewsroom, testConfig } from './newsroom-fixture.ts';

for (const backend of await testBackends()) {
  test(`${backend.name}: the next batch is claimed while the last messages of a full batch are written; one nobody takes goes back untried`, { timeout: 60_000 }, async () => {
    const store = await backend.open();
    const clock = new FakeClock(Date.parse('2026-03-02T05:00:00Z'));
    try {
      const newsroom = await seedNewsroom(store, 30);
      const logger = memoryLogger();
      const parts = deliveryParts({ store, config: testConfig(), clock, logger });
      const send = await requestSend(parts.sendDeps, { editionId: newsroom.editionId, createdBy: 'editor@example.org' });
      const ids = (await sendRecipients(store, send.id)).map((r) => r.id).sort((a, b) => a - b);
      assert.equal(ids.length, 26);
      const [first, second] = [ids.slice(0, 10), ids.slice(10, 20)];
      const held = async (rows: number[]) =>
        (await store.db.selectFrom('recipients').select('id').where('id', 'in', rows).where('state', '=', 'sending').where('lease_owner', '=', 'w1').execute()).length;
      // A claim made ahead is under way in the background: wait (2 s at most) until the rows are held.
      const heldSoon = async (rows: number[]) => {
        for (let i = 0; i < 200 && (await held(rows)) < rows.length; i++) await new Promise((resolve) => setTimeout(resolve, 10));
        return held(rows);
      };

      const mailed: string[] = [];
      let heldDuringLastMessage = -1;
      const transport: Transport = {
        description: 'recording',
        concurrency: 1,
        async submit(message) {
          mailed.push(message.to);
          if (mailed.length === 10) {
            // The last message of the first batch: the second batch is claimed meanwhile.
            heldDuringLastMessage = await heldSoon(second);
          }
          return { ok: true, code: 250, response: '250 2.0.0 Ok' };
        },
        close: async () => {},
      };
      const worker = new DeliveryWorker({
        workerId: 'w1', ledger: storeLedger(store), transport, links: parts.links, clock, logger, mailDomain: parts.mailDomain, returnPaths: parts.returnPaths,
        policy: { batchSize: 10 },
      });
      assert.equal(await worker.runBatch(), 10);
      assert.equal(heldDuringLastMessage, 10, 'the next batch was claimed before the last message of this one was written');
      assert.equal(await worker.runBatch(), 10);
      const emailOf = new Map((await sendRecipients(store, send.id)).map((r) => [r.id, r.email]));
      assert.deepEqual(mailed.slice(10).sort(), second.map((id) => emailOf.get(id)!).sort(), 'the second batch is the one claimed ahead');

      // The third batch (the last six rows) is claimed ahead too; nobody takes it: closing gives it back untried.
      const third = ids.slice(20);
      assert.equal(await heldSoon(third), 6);
      await worker.close();
      const rows = new Map((await sendRecipients(store, send.id)).map((r) => [r.id, r]));
      for (const id of third) {
        const r = rows.get(id)!;
        assert.deepEqual([r.state, r.lease_owner, r.lease_expires_at, r.attempts], ['pending', null, null, 0]);
      }
      for (const id of [...first, ...second]) assert.equal(rows.get(id)!.state, 'sent');

      // Closed, the worker claims no more ahead, and what is left goes out once.
      assert.equal(await worker.runBatch(), 6);
      assert.equal(await worker.runBatch(), 0);
      assert.equal(mailed.length, 26);
      assert.deepEqual([...new Set(mailed)].sort(), newsroom.active.sort());
      assert.ok((await sendRecipients(store, send.id)).every((r) => r.state === 'sent' && r.attempts === 1));
    } finally {
      await store.dispose();
    }
  });
}
