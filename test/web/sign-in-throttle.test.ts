// The sign-in brake on its own: attempts counted when they start, per
// (address, network); per address a slow-down, never a lock.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../../src/clock.ts';
import { SignInThrottle, type ThrottlePolicy } from '../../src/web/auth/sign-in-throttle.ts';
import { networkOf } from '../../src/web/auth/network.ts';

const policy: ThrottlePolicy = { maxFailures: 3, slowAfter: 4, delayStepMs: 100, maxDelayMs: 250, alertAfter: 4, windowMs: 1000 };

test('attempts are counted when they start, per network and address, then forgotten after the window', () => {
  const clock = new FakeClock(0);
  const throttle = new SignInThrottle(clock, policy);
  // Three attempts under way at once, none finished: the fourth is refused already.
  for (let i = 0; i < 3; i++) assert.ok(throttle.attempt(`192.0.2.${i}`, 'A@example.org'));
  assert.equal(throttle.attempt('192.0.2.200', 'a@example.org'), undefined, 'same /24');
  assert.ok(throttle.attempt('198.51.100.1', 'a@example.org'), 'another network');
  assert.ok(throttle.attempt('192.0.2.1', 'b@example.org'), 'another address');
  clock.advance(1001);
  assert.ok(throttle.attempt('192.0.2.1', 'a@example.org'));
});

test('a right password gives its attempt back and forgets that network’s failures', () => {
  const throttle = new SignInThrottle(new FakeClock(0), policy);
  throttle.fail(throttle.attempt('192.0.2.1', 'a@example.org')!);
  throttle.fail(throttle.attempt('192.0.2.1', 'a@example.org')!);
  throttle.succeed(throttle.attempt('192.0.2.1', 'a@example.org')!);
  for (let i = 0; i < 3; i++) assert.ok(throttle.attempt('192.0.2.1', 'a@example.org'), `attempt ${i}`);
});

test('failures from many networks slow the address down, never lock it, and alert once per window', () => {
  const clock = new FakeClock(0);
  const throttle = new SignInThrottle(clock, policy);
  const alerts: boolean[] = [];
  const delays: number[] = [];
  for (let i = 0; i < 8; i++) {
    const attempt = throttle.attempt(`10.${i}.0.1`, 'a@example.org')!;
    delays.push(attempt.delayMs);
    alerts.push(throttle.fail(attempt));
  }
  assert.deepEqual(delays, [0, 0, 0, 0, 100, 200, 250, 250]);
  assert.deepEqual(alerts, [false, false, false, true, false, false, false, false]);
  const fresh = throttle.attempt('203.0.113.9', 'a@example.org');
  assert.ok(fresh, 'a new network may still try');
  clock.advance(1001);
  const later = throttle.attempt('10.99.0.1', 'a@example.org')!;
  assert.equal(later.delayMs, 0);
});

test('networks: IPv4 /24, IPv6 /64, IPv4-mapped IPv6 as IPv4', () => {
  assert.equal(networkOf('192.0.2.77'), '192.0.2.0/24');
  assert.equal(networkOf('::ffff:192.0.2.77'), '192.0.2.0/24');
  assert.equal(networkOf('2001:db8:0:1::42'), '2001:db8:0:1::/64');
  assert.equal(networkOf('2001:db8::1'), '2001:db8:0:0::/64');
  assert.equal(networkOf('2001:0db8:0000:0001:ffff:0:0:1'), '2001:db8:0:1::/64');
  assert.equal(networkOf('::1'), '0:0:0:0::/64');
});
