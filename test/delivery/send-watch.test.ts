import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../../src/clock.ts';
import { requestSend } from '../../src/delivery/sends.ts';
import { SendWatch } from '../../src/delivery/send-watch.ts';
import { deliveryParts } from '../../src/delivery/worker.ts';
import { outboxTransport } from '../../src/delivery/outbox.ts';
import { NotSent } from '../../src/delivery/transport.ts';
import { storeLedger } from '../../src/delivery/store-ledger.ts';
import { pauseSend } from '../../src/store/ledger.ts';
import { resumeSend } from '../../src/store/sends.ts';
import { testBackends } from '../helpers/store.ts';
import { seedNewsroom, testConfig } from './newsroom-fixture.ts';

for (const backend of await testBackends()) {
  test(`${backend.name}: the send watch stops a send paused, cancelled or failed in the ledger, and a resumed one runs again`, async () => {
    const store = await backend.open();
    try {
      const newsroom = await seedNewsroom(store, 5);
      const clock = new FakeClock(Date.parse('2026-03-02T05:00:00Z'));
      const parts = deliveryParts({ store, config: testConfig(), clock, transport: outboxTransport('/nonexistent', clock) });
      const send = await requestSend(parts.sendDeps, { editionId: newsroom.editionId, createdBy: 'test' });
      const stopped: number[] = [];
      // A long period: the test asks itself (check), the timer never fires first.
      const watch = new SendWatch(storeLedger(store), 60_000, (id) => stopped.push(id), (err) => assert.fail(err));

      const first = watch.enter(send.id);
      await watch.check();
      assert.equal(first.aborted, false, 'running: goes on');

      await pauseSend(store, send.id, 'paused by the newsroom', clock.now());
      await watch.check();
      assert.equal(first.aborted, true, 'paused: stopped');
      assert.ok(first.reason instanceof NotSent);
      assert.deepEqual(stopped, [send.id]);

      // Resumed and claimed again while the first batch is still finishing: a new signal.
      await resumeSend(store, send.id);
      const second = watch.enter(send.id);
      await watch.check();
      assert.equal(second.aborted, false);
      watch.leave(send.id);

      // Cancelled, or done by another worker: any status but running stops it.
      for (const status of ['cancelled', 'done'] as const) {
        await store.db.updateTable('sends').set({ status: 'running' }).where('id', '=', send.id).execute();
        const signal = watch.enter(send.id);
        assert.equal(signal.aborted, false);
        await store.db.updateTable('sends').set({ status }).where('id', '=', send.id).execute();
        await watch.check();
        assert.equal(signal.aborted, true, status);
      }
    } finally {
      await store.dispose();
    }
  });
}
