// A time picked in the publication's time zone, read as an instant, across
// the changes of the clocks; the publication's schedule on an edition's date.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { instantOfWallTime, scheduleTimeOn, WallTimeError } from '../../src/delivery/send-time.ts';

test('a wall-clock time in a time zone is the instant of that zone, summer and winter', () => {
  assert.equal(instantOfWallTime('2026-12-07T06:00', 'Europe/Paris'), Date.parse('2026-12-07T05:00:00Z'));
  assert.equal(instantOfWallTime('2026-07-07T06:00', 'Europe/Paris'), Date.parse('2026-07-07T04:00:00Z'));
  assert.equal(instantOfWallTime('2026-07-07T06:00', 'America/New_York'), Date.parse('2026-07-07T10:00:00Z'));
  assert.equal(instantOfWallTime('2026-07-07T06:00:00', 'UTC'), Date.parse('2026-07-07T06:00:00Z'));
  // 02:30 on the last Sunday of October happens twice in Paris: the first one.
  assert.equal(instantOfWallTime('2026-10-25T02:30', 'Europe/Paris'), Date.parse('2026-10-25T00:30:00Z'));
});

test('a time the clocks skip, or no time at all, is refused saying why', () => {
  assert.throws(() => instantOfWallTime('2026-03-29T02:30', 'Europe/Paris'), (e) => e instanceof WallTimeError && /does not exist in Europe\/Paris/.test(e.message));
  assert.throws(() => instantOfWallTime('2026-02-30T06:00', 'Europe/Paris'), (e) => e instanceof WallTimeError && /not a date and time of the calendar/.test(e.message));
  assert.throws(() => instantOfWallTime('tomorrow', 'Europe/Paris'), (e) => e instanceof WallTimeError && /YYYY-MM-DDTHH:MM/.test(e.message));
});

test("the publication's schedule on an edition's date, only while it is still to come", () => {
  const now = Date.parse('2026-03-02T04:00:00Z');
  assert.equal(scheduleTimeOn('0 6 * * 1-5', 'Europe/Paris', '2026-03-02', now), Date.parse('2026-03-02T05:00:00Z'));
  assert.equal(scheduleTimeOn('0 6 * * 1-5', 'Europe/Paris', '2026-03-02', Date.parse('2026-03-02T05:30:00Z')), undefined);
  assert.equal(scheduleTimeOn('0 6 * * 1-5', 'Europe/Paris', '2026-03-07', now), undefined); // a Saturday
  assert.equal(scheduleTimeOn('0 6 * * *', 'Pacific/Auckland', '2026-12-25', now), Date.parse('2026-12-24T17:00:00Z'));
});
