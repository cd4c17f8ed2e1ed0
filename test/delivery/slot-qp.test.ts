// The fast quoted-printable of a slot's value (slot-qp.ts) writes what
// nodemailer's encode and wrap write (message-template.ts's encodeSlotQp),
// for the values it takes itself and for those it hands over.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encodeSlotQp as reference } from '../../src/delivery/message-template.ts';
import { encodeSlotQp } from '../../src/delivery/slot-qp.ts';
import { seeded } from '../helpers/seeded-random.ts';

/** Characters QP keeps (the fast path) and a few it escapes or treats apart (nodemailer's path). */
const KEPT = 'abcXYZ0189-_/:;&+%~@#()[]{}<>"\'*^`|\\';
const CUTS = '.,!?';
const OTHERS = ['=', ' ', '\t', 'é', '€', '\u00a0'];

test('a link, an address or any value of kept characters is encoded as nodemailer encodes it, cut where its wrap cuts', () => {
  const random = seeded(20260302);
  // Lengths around each place a line is cut (76, 51 + 25), with the cutting punctuation anywhere.
  for (let i = 0; i < 20_000; i++) {
    const length = i < 400 ? i : Math.floor(random() * 320);
    const punctuation = random() * 0.3;
    let value = '';
    for (let j = 0; j < length; j++) value += random() < punctuation ? CUTS[Math.floor(random() * CUTS.length)] : KEPT[Math.floor(random() * KEPT.length)];
    assert.equal(encodeSlotQp(value), reference(value), JSON.stringify(value));
  }
  const token = 'aZ09_-'.repeat(7) + 'x';
  for (const value of [`https://techmatin.example.org/unsubscribe/${token}`, `https://techmatin.example.org/preferences/${token}?a=1&amp;b=2`, 'lecteur@example.net', '']) {
    assert.equal(encodeSlotQp(value), reference(value));
  }
});

test('a value with a space, an "=", a tab or text outside ASCII is encoded by nodemailer itself', () => {
  const random = seeded(7919);
  for (let i = 0; i < 5_000; i++) {
    let value = '';
    for (let j = 0, n = Math.floor(random() * 200); j < n; j++) value += random() < 0.05 ? OTHERS[Math.floor(random() * OTHERS.length)] : KEPT[Math.floor(random() * KEPT.length)];
    assert.equal(encodeSlotQp(value), reference(value), JSON.stringify(value));
  }
  assert.equal(encodeSlotQp('Zoé Lefèvre <zoe@example.net>'), reference('Zoé Lefèvre <zoe@example.net>'));
  assert.match(encodeSlotQp('a=b'), /^a=3Db=\r\n$/);
});
