// A relay that answers a steady 10 % of 451 (at RCPT and at the end of DATA,
// at random: greylisting, a busy mailbox) is a healthy relay: the send goes
// at least half as fast as through the same relay answering 250 to all, and
// every row ends final. The rate limiter used to halve its rate at each 451
// and climb back only after 30 s without any: such a send crawled at a few
// messages a second. The 20,000-recipient case is bench/greylisting.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { systemClock } from '../../src/clock.ts';
import { requestSend } from '../../src/delivery/sends.ts';
import { deliveryParts, deliveryWorker } from '../../src/delivery/worker.ts';
import { smtpPool } from '../../src/delivery/smtp-pool.ts';
import { getSend, sendRecipients } from '../../src/store/sends.ts';
import { testBackends } from '../helpers/store.ts';
import { seedNewsroom, startSmtpSink, testConfig } from './newsroom-fixture.ts';

const RECIPIENTS = 1_000;

/**
 * Delivers a send of RECIPIENTS through a sink that answers 451 to `share`
 * of the messages (half at RCPT, half at the end of DATA); the seconds it
 * took, or undefined when it was not done within `withinMs`.
 */
async function deliver(share: number, withinMs: number): Promise<{ seconds?: number; states: Record<string, number>; refused: number }> {
  const [sqlite] = await testBackends();
  const store = await sqlite!.open();
  let refused = 0;
  const sink = await startSmtpSink({
    rcpt: () => (Math.random() < share / 2 ? (refused++, { code: 451, message: '4.7.1 Greylisted, try again later' }) : undefined),
    server: {
      onData(stream, _session, cb) {
        stream.resume();
        stream.on('end', () => {
          if (Math.random() < share / 2) {
            refused++;
            return cb(Object.assign(new Error('4.3.0 Try again later'), { responseCode: 451 }));
          }
          cb(null, 'Ok: queued');
        });
      },
    },
  });
  const transport = smtpPool([`${sink.url}?pool=4&rate=500`], { clock: systemClock });
  try {
    const newsroom = await seedNewsroom(store, Math.ceil(RECIPIENTS / 0.9) + 2);
    const quiet = { info: () => {}, warn: () => {}, error: () => {} };
    const parts = deliveryParts({ store, config: testConfig(), clock: systemClock, transport, logger: quiet });
    const send = await requestSend(parts.sendDeps, { editionId: newsroom.editionId, createdBy: 'test' });
    const worker = deliveryWorker(store, parts, 'w1', {
      batchSize: 200,
      // Retries come back within a few tens of milliseconds here (minutes in production).
      retry: { baseDelayMs: 20, maxDelayMs: 100, deadlineMs: 3_600_000, maxAttempts: 20 },
      // The error-rate pause is not what is measured here.
      errorRate: { windowMs: 60_000, threshold: 1, minAttempts: Number.MAX_SAFE_INTEGER },
    });
    const started = performance.now();
    const end = started + withinMs;
    let done = false;
    // Two batches in flight, as startWorker runs them.
    const lane = async () => {
      while (!done && performance.now() < end) {
        if ((await worker.runBatch({ sendId: send.id })) > 0) continue;
        if ((await getSend(store, send.id))!.status === 'done') done = true;
        else await new Promise((r) => setTimeout(r, 10));
      }
    };
    await Promise.all([lane(), lane()]);
    const seconds = done ? (performance.now() - started) / 1000 : undefined;
    const states: Record<string, number> = {};
    for (const r of await sendRecipients(store, send.id)) states[r.state] = (states[r.state] ?? 0) + 1;
    return { ...(seconds === undefined ? {} : { seconds }), states, refused };
  } finally {
    await transport.close();
    await sink.close();
    await store.dispose();
  }
}

test(`a steady 10 % of 451 answers: ${RECIPIENTS} recipients at least half as fast as with none, every row final`, { timeout: 120_000 }, async () => {
  const clean = await deliver(0, 60_000);
  assert.ok(clean.seconds !== undefined, 'the clean send finished');
  assert.deepEqual(Object.keys(clean.states), ['sent']);
  // At least half the clean rate: done within twice the clean time (and a second for the last retries).
  const greylisted = await deliver(0.1, 2 * clean.seconds * 1000 + 1_000);
  const ratio = greylisted.seconds === undefined ? 0 : clean.seconds / greylisted.seconds;
  assert.ok(greylisted.seconds !== undefined, `not done within twice the clean time (${clean.seconds.toFixed(2)} s); rows: ${JSON.stringify(greylisted.states)}`);
  assert.ok(greylisted.refused >= RECIPIENTS * 0.05, `the relay answered 451 ${greylisted.refused} times`);
  assert.deepEqual(Object.keys(greylisted.states), ['sent'], 'every row final, and sent in the end');
  assert.ok(ratio >= 0.5, `${ratio.toFixed(2)} of the clean rate`);
});
