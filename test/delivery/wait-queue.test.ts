// The messages waiting for a relay's connection (wait-queue.ts): dropped at
// once when their signal aborts, the others kept in order, and a signal
// listened to only while a message of it waits, so that a batch's composite
// signal is not held by Node once its messages have gone.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { getEventListeners } from 'node:events';
import { systemClock } from '../../src/clock.ts';
import { smtpPool } from '../../src/delivery/smtp-pool.ts';
import { NotSent } from '../../src/delivery/transport.ts';
import { WaitQueue } from '../../src/delivery/wait-queue.ts';
import { startSmtpSink } from './newsroom-fixture.ts';

function waiter(queue: WaitQueue<string>, signal: AbortSignal | undefined, got: string[], name: string, first = false) {
  queue.add({ signal, resolve: (v) => got.push(`${name}:${v}`), reject: (r) => got.push(`${name}:dropped:${String(r)}`) }, first);
}

test('an aborted signal drops its waiters at once, the others keep their order, and each signal is listened to once while any of its waiters waits', () => {
  const queue = new WaitQueue<string>();
  const a = new AbortController();
  const lease = new AbortController();
  // A batch's signal, as the worker makes it: the lease's and the send's.
  const b = AbortSignal.any([lease.signal, new AbortController().signal]);
  const got: string[] = [];
  waiter(queue, a.signal, got, 'a1');
  waiter(queue, b, got, 'b1');
  waiter(queue, a.signal, got, 'a2');
  waiter(queue, undefined, got, 'n1');
  waiter(queue, b, got, 'b2');
  waiter(queue, a.signal, got, 't1', true);
  assert.equal(getEventListeners(a.signal, 'abort').length, 1, 'three waiters, one listener');
  assert.equal(getEventListeners(b, 'abort').length, 1);
  a.abort('stopped');
  assert.deepEqual(got, ['t1:dropped:stopped', 'a1:dropped:stopped', 'a2:dropped:stopped']);
  assert.equal(queue.length, 3);
  queue.next()!.resolve('s1');
  queue.next()!.resolve('s2');
  assert.equal(getEventListeners(b, 'abort').length, 1, 'b2 still waits');
  queue.next()!.resolve('s3');
  assert.equal(getEventListeners(b, 'abort').length, 0, 'no listener left once its last waiter is out');
  assert.deepEqual(got.slice(3), ['b1:s1', 'n1:s2', 'b2:s3']);
  // Out of the queue, a waiter is no longer dropped: it has what it was given.
  lease.abort('lease lost');
  assert.equal(got.length, 6);
  const c = new AbortController();
  waiter(queue, c.signal, got, 'c1');
  waiter(queue, c.signal, got, 'c2');
  assert.equal(queue.takeAll().length, 2);
  assert.equal(getEventListeners(c.signal, 'abort').length, 0);
});

test("through the pool: a stopped batch's messages waiting for a connection are dropped at once, unwritten, and another batch's go out", async () => {
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  const sink = await startSmtpSink({
    server: {
      onRcptTo(address, _session, cb) {
        // The first message holds the pool's only connection until released.
        if (address.address === 'slow@example.net') void held.then(() => cb());
        else cb();
      },
    },
  });
  const pool = smtpPool([`${sink.url}?pool=1`], { clock: systemClock });
  const message = (to: string) => ({ from: 'bounces@example.org', to, raw: Buffer.from(`To: <${to}>\r\nSubject: x\r\n\r\nbody\r\n`), messageId: `${to}.id` });
  try {
    const slow = pool.submit(message('slow@example.net'));
    const stopped = new AbortController();
    const other = new AbortController();
    const dropped = Array.from({ length: 20 }, (_, i) => pool.submit(message(`a${i}@example.net`), { signal: stopped.signal }));
    const kept = Array.from({ length: 5 }, (_, i) => pool.submit(message(`b${i}@example.net`), { signal: other.signal }));
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(getEventListeners(stopped.signal, 'abort').length, 1, 'twenty waiting, one listener');
    stopped.abort(new NotSent('send 1 stopped: paused'));
    const settled = await Promise.allSettled(dropped);
    assert.ok(settled.every((s) => s.status === 'rejected' && s.reason instanceof NotSent), 'dropped while the connection is still busy');
    assert.equal(sink.received.length, 0);
    release();
    assert.equal((await slow).ok, true);
    for (const r of await Promise.all(kept)) assert.equal(r.ok, true);
    assert.deepEqual(sink.received.map((m) => m.to[0]).sort(), ['b0@example.net', 'b1@example.net', 'b2@example.net', 'b3@example.net', 'b4@example.net', 'slow@example.net']);
    assert.equal(getEventListeners(other.signal, 'abort').length, 0, 'no listener left behind');
  } finally {
    await pool.close();
    await sink.close();
  }
});
