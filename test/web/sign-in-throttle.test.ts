// The sign-in brake: per client and address, and per address from all clients.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../../src/clock.ts';
import { SignInThrottle } from '../../src/web/auth/sign-in-throttle.ts';

test('failures are counted per client and address, then forgotten after the window', () => {
  const clock = new FakeClock(0);
  const throttle = new SignInThrottle(clock, { maxFailures: 3, maxFailuresPerAddress: 5, windowMs: 1000 });
  for (let i = 0; i < 3; i++) throttle.fail('1.1.1.1', 'A@example.org');
  assert.equal(throttle.allows('1.1.1.1', 'a@example.org'), false);
  assert.equal(throttle.allows('2.2.2.2', 'a@example.org'), true, 'another client');
  assert.equal(throttle.allows('1.1.1.1', 'b@example.org'), true, 'another address');
  clock.advance(1001);
  assert.equal(throttle.allows('1.1.1.1', 'a@example.org'), true);
});

test('forged client addresses do not give unlimited tries at one address', () => {
  const throttle = new SignInThrottle(new FakeClock(0), { maxFailures: 3, maxFailuresPerAddress: 5, windowMs: 1000 });
  for (let i = 0; i < 5; i++) throttle.fail(`10.0.0.${i}`, 'a@example.org');
  assert.equal(throttle.allows('10.0.0.99', 'a@example.org'), false);
});

test('a success forgets that client’s failures', () => {
  const throttle = new SignInThrottle(new FakeClock(0), { maxFailures: 2, maxFailuresPerAddress: 5, windowMs: 1000 });
  throttle.fail('1.1.1.1', 'a@example.org');
  throttle.succeed('1.1.1.1', 'a@example.org');
  throttle.fail('1.1.1.1', 'a@example.org');
  assert.equal(throttle.allows('1.1.1.1', 'a@example.org'), true);
});
