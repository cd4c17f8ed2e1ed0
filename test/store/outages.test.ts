// What a process does while its database is away, without a database: which
// errors are a lost connection, the log lines of an outage, the backoff, and
// which operations are tried again. (The processes themselves, with their
// sessions really ended: test/delivery/database-restart.test.ts.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isConnectionLoss, Outages, retryWhileDown, DEFAULT_RECONNECT_POLICY } from '../../src/store/outages.ts';

const pgError = (code: string, message: string) => Object.assign(new Error(message), { code });

test('a lost or refused connection is an outage; a refused query is not', () => {
  assert.equal(isConnectionLoss(pgError('57P01', 'terminating connection due to administrator command')), true);
  assert.equal(isConnectionLoss(pgError('57P03', 'the database system is starting up')), true);
  assert.equal(isConnectionLoss(pgError('08006', 'connection failure')), true);
  assert.equal(isConnectionLoss(pgError('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:5432')), true);
  assert.equal(isConnectionLoss(new Error('Connection terminated unexpectedly')), true);
  assert.equal(isConnectionLoss(new Error('Client has encountered a connection error and is not queryable')), true);
  assert.equal(isConnectionLoss(pgError('23505', 'duplicate key value violates unique constraint')), false);
  assert.equal(isConnectionLoss(pgError('42P01', 'relation "sends" does not exist')), false);
  assert.equal(isConnectionLoss(new Error('driver has already been destroyed')), false);
  assert.equal(isConnectionLoss(undefined), false);
});

test('an outage is one line as it starts and one as it ends; another soon after adds none', () => {
  let now = 0;
  const lines: string[] = [];
  const outages = new Outages('postgres db', (l) => lines.push(l), DEFAULT_RECONNECT_POLICY, () => now);
  const lost = pgError('57P01', 'terminating connection due to administrator command');
  for (let i = 0; i < 20; i++) assert.equal(outages.failed(lost), true);
  assert.equal(outages.failed(pgError('23505', 'duplicate')), false, 'not an outage');
  now = 2_500;
  outages.succeeded();
  outages.succeeded();
  assert.deepEqual(lines, [
    'database connection lost (terminating connection due to administrator command) on postgres db; reconnecting with backoff',
    'database reachable again after 2.5 s (20 failed tries)',
  ]);
  now = 10_000;
  outages.failed(lost);
  outages.succeeded();
  assert.equal(lines.length, 2, 'a flapping server does not flood the log');
  now = 80_000;
  outages.failed(lost);
  assert.equal(lines.length, 3, 'a later outage is logged again');
});

test('the backoff doubles with failures, even across short recoveries, up to its cap, and starts over after a calm period', () => {
  let now = 0;
  const outages = new Outages('db', () => {}, { firstDelayMs: 100, maxDelayMs: 1_000, giveUpAfterMs: 60_000, calmMs: 30_000 }, () => now);
  const lost = pgError('57P01', 'terminating connection');
  const top = () => outages.delayMs(() => 1);
  const delays: number[] = [];
  for (let i = 0; i < 6; i++) {
    outages.failed(lost);
    outages.succeeded(); // the server let us connect, then dropped us again
    delays.push(top());
    now += 100;
  }
  assert.deepEqual(delays, [100, 200, 400, 800, 1000, 1000]);
  assert.ok(outages.delayMs(() => 0) >= 500, 'jitter takes at most half');
  now += 30_000;
  outages.failed(lost);
  assert.equal(top(), 100);
});

test('retryWhileDown tries again through an outage, not after another error, and gives up in time', async () => {
  const outages = new Outages('db', () => {}, { firstDelayMs: 1, maxDelayMs: 5, giveUpAfterMs: 200, calmMs: 30_000 });
  let calls = 0;
  const flaky = await retryWhileDown({ outages }, async () => {
    if (++calls < 4) throw pgError('57P01', 'terminating connection due to administrator command');
    return 'done';
  });
  assert.deepEqual([flaky, calls, outages.isDown], ['done', 4, false]);

  calls = 0;
  await assert.rejects(
    retryWhileDown({ outages }, async () => {
      calls++;
      throw pgError('23505', 'duplicate key');
    }),
    /duplicate key/,
  );
  assert.equal(calls, 1);

  const started = Date.now();
  await assert.rejects(
    retryWhileDown({ outages }, async () => {
      throw pgError('ECONNREFUSED', 'connect ECONNREFUSED');
    }),
    /ECONNREFUSED/,
  );
  assert.ok(Date.now() - started < 2_000);

  assert.equal(await retryWhileDown({}, async () => 'sqlite: once'), 'sqlite: once');
});
