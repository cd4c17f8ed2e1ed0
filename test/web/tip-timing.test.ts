// A wrong receipt code learns nothing from the time the answer takes: 200
// tries of the right code (a thread with a reply) and 200 of wrong,
// well-formed codes, interleaved, through the app; their median times differ
// by less than 5 %. (The pages themselves are compared in public-tips.test.ts.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as openpgp from 'openpgp';
import { testBackends } from '../helpers/store.ts';
import { newsroom, EDITOR } from './harness.ts';
import { goodKey } from '../helpers/tip-keys.ts';
import { multipart } from '../helpers/multipart.ts';
import { setPersonKey } from '../../src/store/people.ts';
import { listTips } from '../../src/store/tips.ts';
import { buildApp } from '../../src/web/app.ts';
import { replyToTip } from '../../src/tips/tip-line.ts';
import { newReceiptCode } from '../../src/tips/receipt-code.ts';

const TRIES = 200;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return (sorted[(sorted.length - 1) >> 1]! + sorted[sorted.length >> 1]!) / 2;
}

const [sqlite] = await testBackends();
test('the right code and a wrong code take the same time (medians of 200 tries within 5 %)', { timeout: 600_000 }, async (t) => {
  const n = await newsroom(sqlite!);
  t.after(() => n.close());
  const app = await buildApp({ store: n.store, config: { ...n.config, tipsPerHour: 10 * TRIES }, clock: n.clock });
  t.after(() => app.close());
  const key = await goodKey(EDITOR.email);
  await setPersonKey(n.store, EDITOR.email, key.publicKey);
  const sent = await app.inject({ method: 'POST', url: '/tech-matin/tips', ...multipart({ message: 'a tip' }) });
  const code = /<code id="receipt-code">([^<]+)<\/code>/.exec(sent.body)![1]!;
  const [tip] = await listTips(n.store, [n.ids.techMatin]);
  await replyToTip({ store: n.store, secret: n.config.secret, clock: n.clock }, tip!.id, 'Merci, pouvez-vous préciser ?', [await openpgp.readKey({ armoredKey: key.publicKey })]);

  const ask = async (c: string) => {
    const start = process.hrtime.bigint();
    const res = await app.inject({ method: 'POST', url: '/tech-matin/tips/thread', payload: new URLSearchParams({ code: c }).toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    assert.equal(res.statusCode, 200);
    return { ms, replied: res.body.includes('pouvez-vous préciser') };
  };
  // Warm-up: the decoy key, the JIT, SQLite's page cache.
  for (let i = 0; i < 5; i++) {
    await ask(code);
    await ask(newReceiptCode('fr'));
  }
  const right: number[] = [];
  const wrong: number[] = [];
  for (let i = 0; i < TRIES; i++) {
    // Alternating which goes first, so that neither always follows the other.
    const order = i % 2 ? [true, false] : [false, true];
    for (const isRight of order) {
      const r = await ask(isRight ? code : newReceiptCode('fr'));
      assert.equal(r.replied, isRight);
      (isRight ? right : wrong).push(r.ms);
    }
  }
  const [a, b] = [median(right), median(wrong)];
  const gap = Math.abs(a - b) / Math.max(a, b);
  t.diagnostic(`median right code ${a.toFixed(1)} ms, wrong code ${b.toFixed(1)} ms, gap ${(gap * 100).toFixed(2)} %`);
  assert.ok(gap < 0.05, `right ${a.toFixed(1)} ms, wrong ${b.toFixed(1)} ms: ${(gap * 100).toFixed(1)} % apart`);
});
