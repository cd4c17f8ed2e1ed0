// The results of a batch are written in one transaction (PostgreSQL: one
// statement, arrays through unnest; SQLite: one prepared statement per row): a database that fails in the middle of the write leaves
// none of the batch's rows with a result, the write tried again records each
// once, and a write run a second time (its answer lost after the commit)
// changes nothing. The claim walks the rows still due in id order, each send's own.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { requestSend } from '../../src/delivery/sends.ts';
import { storeLedger } from '../../src/delivery/store-ledger.ts';
import { deliveryParts } from '../../src/delivery/worker.ts';
import type { Outcome } from '../../src/delivery/ledger.ts';
import { testBackends } from '../helpers/store.ts';
import { memoryLogger, seedNewsroom, testConfig } from './newsroom-fixture.ts';

const NOW = Date.parse('2026-03-02T05:00:00Z');

for (const backend of await testBackends()) {
  test(`${backend.name}: a batch's results land together, once, though the database fails in the middle of writing them`, { timeout: 120_000 }, async () => {
    const store = await backend.open();
    try {
      // 2,310 subscribers: 2,078 readers, ten times a batch.
      const newsroom = await seedNewsroom(store, 2_310);
      const parts = deliveryParts({ store, config: testConfig(), clock: { now: () => NOW }, logger: memoryLogger() });
      const send = await requestSend(parts.sendDeps, { editionId: newsroom.editionId, createdBy: 'editor@example.org' });
      const ledger = storeLedger(store);

      const claimed = await ledger.claim({ workerId: 'w1', now: NOW, leaseMs: 60_000, limit: 5_000, sendId: send.id });
      assert.equal(claimed.length, newsroom.active.length);
      assert.deepEqual(
        claimed.map((r) => r.id),
        [...claimed.map((r) => r.id)].sort((a, b) => a - b),
        'in id order',
      );
      assert.deepEqual(await ledger.claim({ workerId: 'w2', now: NOW, leaseMs: 60_000, limit: 10, sendId: send.id }), [], 'nothing left to another worker');

      const outcomes: Outcome[] = claimed.map((r, i) =>
        i % 97 === 5
          ? { id: r.id, state: 'retry', messageId: `m${r.id}`, code: 451, response: '451 4.7.1 later', nextAttemptAt: NOW + 30_000 }
          : i % 89 === 7
            ? { id: r.id, state: 'bounced', messageId: `m${r.id}`, code: 550, response: '550 5.1.1 unknown' }
            : { id: r.id, state: 'sent', messageId: `m${r.id}`, code: 250, response: `250 2.0.0 queued as Q${r.id}` },
      );
      // The last row of the batch: the failure comes after the other rows were written.
      const victim = claimed[claimed.length - 1]!.id;
      const wrote = NOW + 5_000;
      if (backend.name === 'postgres') {
        // The server ends the writing session itself, once (a sequence is not rolled back): a restart mid-write.
        await sql`create sequence fail_once`.execute(store.db);
        await sql
          .raw(
            `create function fail_mid() returns trigger language plpgsql as $$
             begin
               if new.id = ${victim} and nextval('fail_once') = 1 then perform pg_terminate_backend(pg_backend_pid()); end if;
               return new;
             end $$`,
          )
          .execute(store.db);
        await sql`create trigger fail_mid before update on recipients for each row execute function fail_mid()`.execute(store.db);
        // The ledger's write is retried while the database is away, and lands whole.
        await ledger.record('w1', outcomes, wrote);
        const { rows } = await sql<{ last_value: string }>`select last_value from fail_once`.execute(store.db);
        assert.ok(Number(rows[0]!.last_value) >= 2, 'the write failed once, then ran again');
      } else {
        await sql`create table fail_once (n integer)`.execute(store.db);
        await sql`insert into fail_once values (1)`.execute(store.db);
        await sql
          .raw(
            `create trigger fail_mid before update of state on recipients when new.id = ${victim} and exists (select 1 from fail_once)
             begin select raise(abort, 'disk I/O error'); end`,
          )
          .execute(store.db);
        await assert.rejects(ledger.record('w1', outcomes, wrote), /disk I\/O error/);
        const states = await store.db.selectFrom('recipients').select(['state', 'lease_owner']).where('send_id', '=', send.id).execute();
        assert.ok(
          states.every((r) => r.state === 'sending' && r.lease_owner === 'w1'),
          'nothing half-written: every row still in flight under the lease',
        );
        await sql`delete from fail_once`.execute(store.db);
        await ledger.record('w1', outcomes, wrote);
      }

      const rows = await store.db
        .selectFrom('recipients')
        .select(['id', 'state', 'message_id', 'relay_code', 'relay_response', 'next_attempt_at', 'lease_owner', 'updated_at'])
        .where('send_id', '=', send.id)
        .orderBy('id')
        .execute();
      assert.equal(rows.length, outcomes.length);
      for (const [i, row] of rows.entries()) {
        const o = outcomes[i]!;
        assert.equal(row.id, o.id);
        assert.equal(row.state, o.state === 'retry' ? 'pending' : o.state);
        assert.equal(row.message_id, o.messageId);
        assert.equal(row.relay_code, o.code);
        assert.equal(row.relay_response, o.response);
        assert.equal(row.lease_owner, null);
        assert.equal(Number(row.updated_at), wrote);
        if (o.state === 'retry') assert.equal(Number(row.next_attempt_at), o.nextAttemptAt);
      }

      // The same write again (its answer lost after the commit): nothing changes.
      await ledger.record('w1', outcomes.map((o) => ({ ...o, response: 'a second run' })), wrote + 1_000);
      const again = await store.db.selectFrom('recipients').select(['relay_response', 'updated_at']).where('send_id', '=', send.id).orderBy('id').execute();
      assert.ok(again.every((r, i) => r.relay_response === outcomes[i]!.response && Number(r.updated_at) === wrote));

      // The rows to retry are the ones due again, and only once due.
      assert.deepEqual(await ledger.claim({ workerId: 'w2', now: NOW + 29_000, leaseMs: 60_000, limit: 100 }), []);
      const retried = await ledger.claim({ workerId: 'w2', now: NOW + 30_000, leaseMs: 60_000, limit: 100 });
      assert.deepEqual(
        retried.map((r) => r.id),
        outcomes.filter((o) => o.state === 'retry').map((o) => o.id),
      );
      assert.ok(retried.every((r) => r.attempts === 2));
    } finally {
      await store.dispose();
    }
  });
}

for (const backend of await testBackends()) {
  test(`${backend.name}: a result comes too late for a row another worker claimed since: the other worker's result is kept`, async () => {
    const store = await backend.open();
    try {
      const newsroom = await seedNewsroom(store, 12);
      const parts = deliveryParts({ store, config: testConfig(), clock: { now: () => NOW }, logger: memoryLogger() });
      const send = await requestSend(parts.sendDeps, { editionId: newsroom.editionId, createdBy: 'editor@example.org' });
      const ledger = storeLedger(store);
      const first = await ledger.claim({ workerId: 'w1', now: NOW, leaseMs: 60_000, limit: 3, sendId: send.id });
      // w1 stalls past its lease; w2 takes the same rows and records them first.
      const second = await ledger.claim({ workerId: 'w2', now: NOW + 61_000, leaseMs: 60_000, limit: 3, sendId: send.id });
      assert.deepEqual(second.map((r) => r.id), first.map((r) => r.id));
      const sent = (id: number, by: string): Outcome => ({ id, state: 'sent', messageId: `m${id}`, code: 250, response: `250 queued by ${by}` });
      await ledger.record('w2', [sent(second[0]!.id, 'w2')], NOW + 62_000);
      await ledger.record('w1', first.map((r) => sent(r.id, 'w1')), NOW + 63_000);
      const rows = await store.db.selectFrom('recipients').select(['id', 'state', 'relay_response', 'lease_owner']).where('id', 'in', first.map((r) => r.id)).orderBy('id').execute();
      assert.deepEqual(
        rows.map((r) => [r.state, r.relay_response, r.lease_owner]),
        [
          ['sent', '250 queued by w2', null],
          ['sending', null, 'w2'],
          ['sending', null, 'w2'],
        ],
      );
    } finally {
      await store.dispose();
    }
  });
}
