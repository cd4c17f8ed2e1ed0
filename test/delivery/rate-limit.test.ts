import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../../src/clock.ts';
import { RateLimiter } from '../../src/delivery/rate-limit.ts';

function limiter(perSecond: number, perHour = Infinity) {
  const clock = new FakeClock(0);
  const slept: number[] = [];
  const l = new RateLimiter({ perSecond, perHour }, clock, async (ms) => {
    slept.push(ms);
    clock.advance(ms);
  });
  return { clock, l, slept };
}

async function timeFor(l: RateLimiter, clock: FakeClock, n: number): Promise<number> {
  const start = clock.now();
  for (let i = 0; i < n; i++) await l.acquire();
  return clock.now() - start;
}

test('holds the operator’s rate per second', async () => {
  const { l, clock } = limiter(10);
  // A full bucket lets 10 go at once; 100 more take 10 seconds.
  assert.equal(await timeFor(l, clock, 10), 0);
  const ms = await timeFor(l, clock, 100);
  assert.ok(ms >= 9_900 && ms <= 10_100, `${ms} ms`);
});

test('holds the hourly limit too', async () => {
  const { l, clock } = limiter(Infinity, 3600);
  await timeFor(l, clock, 60); // the bucket holds a minute's worth
  const ms = await timeFor(l, clock, 10);
  assert.ok(ms >= 9_000 && ms <= 11_000, `${ms} ms: one per second`);
});

test('the per-second rate follows the relay’s answers (congestion.ts): halved by a 421, not by a greylisting 451', async () => {
  const { l, clock } = limiter(40);
  // Ten seconds at the full rate, one answer in ten a 451: no slower.
  for (let i = 0; i < 400; i++) {
    await l.acquire();
    l.answered(i % 10 === 0 ? 451 : 250);
  }
  assert.equal(l.currentRate, 40);
  l.answered(421);
  assert.equal(l.currentRate, 20);
  await timeFor(l, clock, 20); // the bucket holds one second's worth at the new rate
  const slowMs = await timeFor(l, clock, 20);
  assert.ok(slowMs >= 950 && slowMs <= 1_050, `${slowMs} ms for 20 messages at 20/s`);
  assert.equal(l.floor, 40 / 32);
});

test('a caller that gives up while waiting is dropped at once, and holds up nobody', async () => {
  const clock = new FakeClock(0);
  // A sleep that only ends when told (or aborted), so that callers really wait.
  const sleeping: Array<() => void> = [];
  const l = new RateLimiter({ perSecond: 1, perHour: Infinity }, clock, (ms, signal) => {
    return new Promise<void>((resolve) => {
      sleeping.push(() => {
        clock.advance(ms);
        resolve();
      });
      signal?.addEventListener('abort', () => resolve(), { once: true });
    });
  });
  await l.acquire(); // the one token of the bucket
  const stop = new AbortController();
  const given = l.acquire(false, stop.signal);
  const behind = l.acquire();
  await new Promise((r) => setImmediate(r));
  stop.abort(new Error('lease lost'));
  await assert.rejects(given, /lease lost/);
  // The next caller gets the token the dropped one would have taken.
  sleeping.shift()?.();
  await behind;
  assert.ok(clock.now() <= 1_000, `${clock.now()} ms`);
});

test('concurrent callers are served in turn, none lost', async () => {
  const { l, clock } = limiter(5);
  const order: number[] = [];
  await Promise.all(Array.from({ length: 15 }, (_, i) => l.acquire().then(() => order.push(i))));
  assert.deepEqual(order, Array.from({ length: 15 }, (_, i) => i));
  assert.ok(clock.now() >= 2_000 - 1);
});

test('a transactional message takes the next token ahead of list messages already waiting', async () => {
  const clock = new FakeClock(0);
  // Each wait for a token lets other callers in, as a real timer does.
  const l = new RateLimiter({ perSecond: 5, perHour: Infinity }, clock, (ms) => new Promise((resolve) => setImmediate(() => resolve(clock.advance(ms)))));
  const order: string[] = [];
  // The bucket's 5 go at once; 15 list messages then wait for tokens, 200 ms apart.
  const list = Array.from({ length: 20 }, (_, i) => l.acquire().then(() => order.push(`list${i}`)));
  await new Promise((resolve) => setImmediate(resolve));
  const first = l.acquire(true).then(() => order.push('transactional'));
  await Promise.all([...list, first]);
  const at = order.indexOf('transactional');
  // Served after at most the one list message already taking its token, never behind the 15 waiting.
  assert.ok(at <= 7, `the transactional message came ${at}th: ${order.join(' ')}`);
  assert.deepEqual(order.filter((o) => o !== 'transactional'), Array.from({ length: 20 }, (_, i) => `list${i}`), 'list messages keep their order');
  assert.ok(clock.now() >= (21 - 5) * 200 - 1, 'the transactional message used a token: the rate holds for all');
});
