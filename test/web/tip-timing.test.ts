// A wrong receipt code learns nothing from the time the answer takes: 200
// tries of the right code and 200 of wrong, well-formed codes, interleaved,
// through the app. The right code opens a thread without replies, whose page
// is the one a wrong code gets (public-tips.test.ts compares the pages): once
// the newsroom has replied, the page itself shows the thread exists, so time
// has nothing left to tell. The machine is shared and noisy, so each right try
// is paired with the wrong try next to it, and the median of the pairs'
// differences must stay within 5 % of the median time.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { testBackends } from '../helpers/store.ts';
import { newsroom, EDITOR } from './harness.ts';
import { goodKey } from '../helpers/tip-keys.ts';
import { multipart } from '../helpers/multipart.ts';
import { setPersonKey } from '../../src/store/people.ts';
import { buildApp } from '../../src/web/app.ts';
import { newReceiptCode } from '../../src/tips/receipt-code.ts';

const TRIES = 200;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return (sorted[(sorted.length - 1) >> 1]! + sorted[sorted.length >> 1]!) / 2;
}

const [sqlite] = await testBackends();
test('the right code and a wrong code take the same time (200 interleaved pairs, median difference within 5 %)', { timeout: 600_000 }, async (t) => {
  const n = await newsroom(sqlite!);
  t.after(() => n.close());
  const app = await buildApp({ store: n.store, config: { ...n.config, tipsPerHour: 10 * TRIES }, clock: n.clock });
  t.after(() => app.close());
  const key = await goodKey(EDITOR.email);
  await setPersonKey(n.store, EDITOR.email, key.publicKey);
  const sent = await app.inject({ method: 'POST', url: '/tech-matin/tips', ...multipart({ message: 'a tip' }) });
  const code = /<code id="receipt-code">([^<]+)<\/code>/.exec(sent.body)![1]!;

  const ask = async (c: string) => {
    const start = process.hrtime.bigint();
    const res = await app.inject({ method: 'POST', url: '/tech-matin/tips/thread', payload: new URLSearchParams({ code: c }).toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    assert.equal(res.statusCode, 200);
    return { ms, opened: res.body.includes(c) };
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
      assert.ok(r.opened, 'both codes get the thread page, which repeats the code');
      (isRight ? right : wrong).push(r.ms);
    }
  }
  const [a, b] = [median(right), median(wrong)];
  const pairGap = median(right.map((ms, i) => ms - wrong[i]!));
  const gap = Math.abs(pairGap) / Math.min(a, b);
  t.diagnostic(`median right code ${a.toFixed(1)} ms, wrong code ${b.toFixed(1)} ms, median pair difference ${pairGap.toFixed(2)} ms (${(gap * 100).toFixed(2)} %)`);
  assert.ok(gap < 0.05, `right ${a.toFixed(1)} ms, wrong ${b.toFixed(1)} ms: pairs differ by ${pairGap.toFixed(1)} ms, ${(gap * 100).toFixed(1)} %`);
});
