import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ByteBudget, ClientSlots, clientOf } from '../../src/delivery/inbound-limits.ts';

test('a client is an IPv4 address, or the /64 of an IPv6 one, however it is written', () => {
  assert.equal(clientOf('192.0.2.7'), '192.0.2.7');
  assert.equal(clientOf('::ffff:192.0.2.7'), '192.0.2.7');
  const one = clientOf('2001:db8:1:2::1');
  for (const same of ['2001:db8:1:2::2', '2001:0db8:0001:0002:ffff:ffff:ffff:ffff', '2001:DB8:1:2:0:0:0:9']) assert.equal(clientOf(same), one, same);
  assert.notEqual(clientOf('2001:db8:1:3::1'), one);
  assert.equal(clientOf('::1'), clientOf('0:0:0:0:0:0:0:1'));
});

test('client slots: a ceiling per client, given back once per session, a refused session holds none', () => {
  const slots = new ClientSlots(2);
  assert.ok(slots.take('a', 'x'));
  assert.ok(slots.take('b', 'x'));
  assert.equal(slots.take('c', 'x'), false);
  assert.ok(slots.take('d', 'y'));
  slots.give('c'); // refused: gives nothing back
  assert.equal(slots.take('e', 'x'), false);
  slots.give('a');
  slots.give('a');
  assert.ok(slots.take('f', 'x'));
  assert.equal(slots.take('g', 'x'), false);
});

test('the byte budget takes all or nothing under its ceiling', () => {
  const budget = new ByteBudget(10);
  assert.ok(budget.take(6));
  assert.equal(budget.take(5), false);
  assert.equal(budget.inUse, 6);
  assert.ok(budget.take(4));
  budget.give(6);
  assert.equal(budget.inUse, 4);
});
