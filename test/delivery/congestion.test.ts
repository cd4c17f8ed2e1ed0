import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../../src/clock.ts';
import { CongestionControl } from '../../src/delivery/congestion.ts';

/** A controller with the operator's rate `ceiling`, on a fake clock. */
function controller(ceiling: number) {
  const clock = new FakeClock(0);
  return { clock, c: new CongestionControl(ceiling, clock) };
}

/** `perSecond` answers a second for `seconds`, evenly spaced; `code(i)` is the i-th answer's code. */
function answers(clock: FakeClock, c: CongestionControl, seconds: number, perSecond: number, code: (i: number) => number | null): void {
  const n = Math.round(seconds * perSecond);
  let at = 0;
  for (let i = 0; i < n; i++) {
    // Whole milliseconds, the last answer exactly at the end.
    const next = Math.round(((i + 1) * seconds * 1000) / n);
    clock.advance(next - at);
    at = next;
    c.answer(code(i));
  }
}

const ok = () => 250;

test('a steady 10 % of 451 (greylisting) keeps the operator’s rate', () => {
  const { c, clock } = controller(100);
  // One answer in ten is a 451, for ten minutes.
  answers(clock, c, 600, 100, (i) => (i % 10 === 3 ? 451 : 250));
  assert.equal(c.rate, 100);
  // The same at random, at 10 % of each kind of 4xx greylisting gives (451, 450).
  let seed = 7;
  const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const min = { rate: c.rate };
  for (let s = 0; s < 600; s++) {
    answers(clock, c, 1, 100, () => (random() < 0.1 ? (random() < 0.5 ? 451 : 450) : 250));
    min.rate = Math.min(min.rate, c.rate);
  }
  assert.ok(min.rate >= 75, `never below 75/s (${min.rate})`);
});

test('a 421 halves the rate at once, once per round however many come', () => {
  const { c, clock } = controller(100);
  answers(clock, c, 2, 100, ok);
  c.answer(421);
  assert.equal(c.rate, 50);
  // The other connections of the pool get their 421 in the same round: no further cut.
  for (let i = 0; i < 4; i++) c.answer(421);
  assert.equal(c.rate, 50);
  // A clean round adds a step (50 → 55); the next round's 421 halves it again.
  answers(clock, c, 1, 50, ok);
  assert.equal(c.rate, 55);
  c.answer(421);
  assert.equal(c.rate, 27.5);
});

test('a rising share of 4xx above the tolerance slows down by a quarter per round; an easing one holds', () => {
  const { c, clock } = controller(100);
  answers(clock, c, 1, 100, (i) => (i % 2 === 0 ? 451 : 250)); // 50 %, up from 0
  assert.equal(c.rate, 75);
  answers(clock, c, 1, 75, (i) => (i % 2 === 0 ? 451 : 250)); // 50 % again: not easing
  assert.equal(c.rate, 56.25);
  answers(clock, c, 1, 56.25, (i) => (i % 5 < 2 ? 451 : 250)); // 40 %: easing as we slowed
  assert.equal(c.rate, 56.25);
  answers(clock, c, 1, 56.25, (i) => (i % 10 === 0 ? 451 : 250)); // 10 %: within the tolerance
  assert.equal(c.rate, 61.25, 'back up by a twentieth of the operator’s rate');
});

test('recovers a step per round while the share is low, up to the operator’s rate and no further', () => {
  const { c, clock } = controller(100);
  answers(clock, c, 10, 100, () => 421);
  assert.equal(c.rate, c.floor, 'never below the floor');
  assert.equal(c.floor, 100 / 32);
  answers(clock, c, 1, 10, ok); // a round too small to judge (30 answers at least): no change
  assert.equal(c.rate, c.floor);
  answers(clock, c, 5, 10, ok);
  assert.ok(c.rate > c.floor && c.rate < 20, `${c.rate}`);
  answers(clock, c, 60, 100, ok);
  assert.equal(c.rate, 100);
});

test('a lost connection or a timeout (no answer) says nothing about the rate', () => {
  const { c, clock } = controller(100);
  answers(clock, c, 5, 100, () => null);
  answers(clock, c, 1, 100, ok);
  c.answer(421);
  answers(clock, c, 5, 100, () => null);
  assert.equal(c.rate, 50);
});

test('without an operator’s rate: no limit until the relay asks, then from what it was taking, lifted again once recovered', () => {
  const { c, clock } = controller(Infinity);
  answers(clock, c, 3, 400, (i) => (i % 10 === 0 ? 451 : 250));
  assert.equal(c.rate, Infinity, 'greylisting alone sets no limit');
  answers(clock, c, 3, 400, (i) => (i % 2 === 0 ? 451 : 250));
  assert.equal(c.rate, Infinity, 'nor does a high share of 4xx: only a 421 does');
  c.answer(421);
  assert.equal(c.rate, 200, 'half of the 400/s it was taking');
  answers(clock, c, 5, 200, ok);
  assert.equal(c.rate, 300, 'a twentieth of 400/s per round');
  answers(clock, c, 30, 400, ok);
  assert.equal(c.rate, Infinity);
});
