// Delivering a send through a relay that refuses, and what that left of the
// readers and the send: shared by the tests against our own refusing SMTP
// server (relay-refusals.test.ts) and against a real Postfix (postfix-refusals.test.ts).
import assert from 'node:assert/strict';
import { FakeClock } from '../../src/clock.ts';
import { AudienceKeys } from '../../src/audience/keys.ts';
import { requestResend, requestSend } from '../../src/delivery/sends.ts';
import { smtpPool } from '../../src/delivery/smtp-pool.ts';
import { DeliveryWorker, type WorkerPolicy } from '../../src/delivery/worker-batch.ts';
import { deliveryParts } from '../../src/delivery/worker.ts';
import type { Store } from '../../src/store/db.ts';
import { storeLedger } from '../../src/delivery/store-ledger.ts';
import { getSend, sendRecipients } from '../../src/store/sends.ts';
import { memoryLogger, SECRET, testConfig, type Newsroom } from './newsroom-fixture.ts';

/** Delivers the newsroom's edition through the relay at `relayUrl` (real pool, real worker) until the send is no longer running (or nothing is left to do). */
export async function deliver(store: Store, relayUrl: string, newsroom: Newsroom, policy: Partial<WorkerPolicy> = {}, parentSendId?: number) {
  const clock = new FakeClock(Date.parse('2026-03-02T05:00:00Z'));
  const transport = smtpPool([relayUrl.includes('?') ? `${relayUrl}&pool=2` : `${relayUrl}?pool=2`], { clock });
  const logger = memoryLogger();
  const parts = deliveryParts({ store, config: testConfig(), clock, transport, logger });
  const send =
    parentSendId === undefined
      ? await requestSend(parts.sendDeps, { editionId: newsroom.editionId, createdBy: 'editor@example.org' })
      : await requestResend(parts.sendDeps, parentSendId, 'editor@example.org');
  const worker = new DeliveryWorker({
    workerId: 'w1',
    ledger: storeLedger(store),
    transport,
    links: parts.links,
    clock,
    logger,
    mailDomain: parts.mailDomain,
    suppressor: parts.suppressor,
    returnPaths: parts.returnPaths,
    policy: { batchSize: 10, ...policy },
    random: () => 0.5,
  });
  try {
    for (let round = 0; round < 30; round++) {
      while ((await worker.runBatch()) > 0);
      if ((await getSend(store, send.id))!.status !== 'running') break;
      clock.advance(20 * 60_000);
    }
  } finally {
    await transport.close();
  }
  const rows = await sendRecipients(store, send.id);
  return { send: (await getSend(store, send.id))!, rows, logger, byState: (state: string) => rows.filter((r) => r.state === state).map((r) => r.email).sort() };
}

/** Who the newsroom may still mail: the readers suppressed, and those whose subscription ended, beyond the seeded ones. */
export async function readersLost(store: Store, newsroom: Newsroom): Promise<{ suppressed: string[]; unsubscribed: string[] }> {
  const keys = new AudienceKeys(SECRET);
  const hashes = await store.db.selectFrom('suppressions').select('email_hash').where('publication_id', '=', newsroom.publicationId).execute();
  const suppressedHashes = new Set(hashes.map((h) => h.email_hash));
  const ended = await store.db
    .selectFrom('subscriptions')
    .innerJoin('subscribers', 'subscribers.id', 'subscriptions.subscriber_id')
    .select('subscribers.email')
    .where('subscriptions.publication_id', '=', newsroom.publicationId)
    .where('subscriptions.status', '!=', 'active')
    .execute();
  return {
    suppressed: newsroom.active.filter((e) => suppressedHashes.has(keys.addressHash(e))).sort(),
    unsubscribed: ended.map((s) => s.email!).filter((e) => !newsroom.unsubscribed.includes(e)).sort(),
  };
}

/** The send refused: paused with the relay's answer, every row it tried failed with it, the rest waiting, nobody lost. */
export async function assertSendRefused(store: Store, newsroom: Newsroom, run: Awaited<ReturnType<typeof deliver>>, answer: RegExp) {
  assert.equal(run.send.status, 'paused', JSON.stringify(run.send));
  assert.match(run.send.status_reason!, /^paused: the relay refused /);
  assert.match(run.send.status_reason!, answer);
  assert.ok(!/reader\d+@example\.net/.test(run.send.status_reason!), `no reader's address in the reason: ${run.send.status_reason}`);
  assert.deepEqual(run.byState('bounced'), [], 'nobody bounced');
  assert.deepEqual(run.byState('sent'), []);
  const failed = run.rows.filter((r) => r.state === 'failed');
  assert.ok(failed.length >= 1, 'the rows the relay refused are failed');
  for (const r of failed) assert.match(`${r.relay_code} ${r.relay_response}`, answer);
  assert.ok(run.rows.every((r) => r.state === 'failed' || r.state === 'pending'), 'the others wait for the send to be resumed');
  assert.deepEqual(await readersLost(store, newsroom), { suppressed: [], unsubscribed: [] }, 'every reader still subscribed, nobody suppressed');
  assert.ok(run.logger.lines.some((l) => l.msg === 'send paused'));
  assert.ok(!JSON.stringify(run.logger.lines).includes('reader0'), 'no address in the logs');
}
