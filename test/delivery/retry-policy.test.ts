import { test } from 'node:test';
import assert from 'node:assert/strict';
import { enhancedStatus, judgeRefusal, nextAttemptAt, UnclearRefusals, withoutAddresses, type RetryPolicy } from '../../src/delivery/retry-policy.ts';
import { DEFAULT_ERROR_RATE_POLICY, ErrorRateWindow, shareLowerBound } from '../../src/delivery/error-rate.ts';
import { seeded } from '../helpers/seeded-random.ts';

const policy: RetryPolicy = { baseDelayMs: 60_000, maxDelayMs: 600_000, deadlineMs: 3_600_000, maxAttempts: 6 };

test('backs off exponentially with jitter, capped, until the deadline or the attempts run out', () => {
  const start = 0;
  assert.equal(nextAttemptAt(policy, 1, 0, start, () => 0), 30_000, 'at least half the delay');
  assert.equal(nextAttemptAt(policy, 1, 0, start, () => 1), 60_000);
  assert.equal(nextAttemptAt(policy, 3, 0, start, () => 1), 240_000);
  assert.equal(nextAttemptAt(policy, 5, 0, start, () => 1), 600_000, 'capped');
  assert.equal(nextAttemptAt(policy, 6, 0, start, () => 0), null, 'out of attempts');
  assert.equal(nextAttemptAt(policy, 2, 3_550_000, start, () => 1), null, 'past the deadline');
  const spread = new Set(Array.from({ length: 50 }, () => nextAttemptAt(policy, 2, 0, start)));
  assert.ok(spread.size > 10, 'jitter spreads retries');
});

test('the error window pauses only past the threshold, over enough attempts, within the window', () => {
  const w = new ErrorRateWindow({ windowMs: 60_000, threshold: 0.5, minAttempts: 10 });
  for (let i = 0; i < 9; i++) assert.equal(w.record(1, true, i), undefined, 'too few attempts to judge');
  assert.match(w.record(1, true, 10)!, /10 of the last 10 attempts failed/);
  for (let i = 0; i < 20; i++) assert.equal(w.record(2, i % 3 === 0, i), undefined, 'a third failing is under the threshold');
  // Old failures leave the window.
  for (let i = 0; i < 9; i++) w.record(3, true, 0);
  for (let i = 0; i < 10; i++) assert.equal(w.record(3, false, 120_000 + i), undefined);
});

test('the error window counts the same as a count over every attempt in it, however long the send', () => {
  const policy = { windowMs: 1_000, threshold: 0.3, minAttempts: 20 };
  const w = new ErrorRateWindow(policy);
  const seen: Array<{ at: number; failed: boolean }> = [];
  let seed = 7;
  const random = () => ((seed = (seed * 48271) % 2147483647) / 2147483647);
  // 20,000 attempts over 40 s: the window slides past thousands of them, through the compactions.
  for (let i = 0; i < 20_000; i++) {
    const at = i * 2;
    // Failures come in bursts, so that the share crosses the threshold both ways.
    const failed = random() < (Math.floor(i / 3_000) % 2 ? 0.45 : 0.1);
    seen.push({ at, failed });
    // (At one attempt every 2 ms, the last 600 hold the whole window.)
    const inWindow = seen.slice(-600).filter((e) => e.at >= at - policy.windowMs);
    const failures = inWindow.filter((e) => e.failed).length;
    const expected = inWindow.length >= policy.minAttempts && shareLowerBound(failures, inWindow.length, 3) >= policy.threshold;
    const reason = w.record(9, failed, at);
    assert.equal(reason !== undefined, expected, `attempt ${i}`);
    if (reason) assert.match(reason, new RegExp(`^paused: ${failures} of the last ${inWindow.length} attempts failed`));
  }
});

test('the share’s lower bound: the observed share of many attempts, well below it for a few', () => {
  assert.equal(shareLowerBound(0, 0, 3), 0);
  assert.equal(shareLowerBound(0, 500, 3), 0);
  // Every attempt failed: n / (n + z²).
  assert.ok(Math.abs(shareLowerBound(50, 50, 3) - 50 / 59) < 1e-9);
  // 12 of 50 (24 %) is no evidence of 20 %; 2,400 of 10,000 is.
  assert.ok(shareLowerBound(12, 50, 3) < 0.12);
  assert.ok(shareLowerBound(2_400, 10_000, 3) > 0.22);
});

test('the default error window does not pause on noise: 12 % of real failures never pause a send, in any of 200 runs', () => {
  // One attempt a second (300 in the window): the first minutes are where a
  // share over a few dozen attempts swung past 20 % (the judge by the observed
  // share over 50 attempts paused 21 of these 200 runs).
  for (let run = 1; run <= 200; run++) {
    const random = seeded(run * 7919);
    const w = new ErrorRateWindow(DEFAULT_ERROR_RATE_POLICY);
    for (let i = 0; i < 3_000; i++) assert.equal(w.record(1, random() < 0.12, i * 1_000), undefined, `run ${run}, attempt ${i}`);
  }
});

test('the default error window pauses a send in real trouble, sooner the worse it is', () => {
  const firstPause = (share: number, seed: number) => {
    const random = seeded(seed);
    const w = new ErrorRateWindow(DEFAULT_ERROR_RATE_POLICY);
    for (let i = 1; i <= 20_000; i++) if (w.record(1, random() < share, i * 50)) return i;
    return Infinity;
  };
  assert.equal(firstPause(1, 1), DEFAULT_ERROR_RATE_POLICY.minAttempts, 'a relay that refuses everything: at the minimum');
  for (const seed of [1, 7, 42]) {
    assert.ok(firstPause(0.6, seed) <= 150, `60 %: ${firstPause(0.6, seed)}`);
    assert.ok(firstPause(0.35, seed) <= 1_000, `35 %: ${firstPause(0.35, seed)}`);
  }
});

test('a refusal is judged by its enhanced status and the command it answered (the table in README.md)', () => {
  const judge = (code: number | null, response: string, command?: string) => {
    const v = judgeRefusal({ code, response, ...(command ? { command } : {}) });
    return v.kind === 'retry' ? (v.aboutSend ? 'retry (about the send)' : 'retry') : v.kind;
  };
  const cases: Array<[number | null, string, string | undefined, string]> = [
    // The reader's mailbox, at RCPT TO and (one recipient) at the end of DATA.
    [550, '550 5.1.1 <reader@example.net>: Recipient address rejected: User unknown', 'RCPT TO', 'bounce'],
    [550, '550 5.1.10 Recipient domain has a null MX', 'RCPT TO', 'bounce'],
    [550, '550-5.1.1 The email account does not exist.\n550 5.1.1 Try again', 'RCPT TO', 'bounce'],
    [550, '550 5.2.1 Mailbox disabled', 'RCPT TO', 'bounce'],
    [550, '550 5.1.1 User unknown', 'DATA', 'bounce'],
    [552, '552 5.2.2 Mailbox full', 'RCPT TO', 'mailbox'],
    [552, '552 5.2.2 Over quota', 'DATA', 'mailbox'],
    // The newsroom, the sender, the message: the send.
    [554, '554 5.7.1 <unknown[127.0.0.1]>: Client host rejected: Access denied', 'RCPT TO', 'send'],
    [552, '552 5.3.4 Error: message file too big', 'DATA', 'send'],
    [552, '552 5.2.3 Message exceeds the size limit', 'DATA', 'send'],
    [553, '553 5.1.8 Sender address rejected: Domain not found', 'RCPT TO', 'send'],
    [550, '550 5.5.1 Protocol error', 'RCPT TO', 'send'],
    [550, '550 5.6.0 Content refused', 'DATA', 'send'],
    [550, '550 5.1.1 whatever it says', 'MAIL FROM', 'send'],
    [550, '550 Sender refused', 'MAIL FROM', 'send'],
    [554, '554 Transaction failed', 'DATA', 'send'],
    [554, '554 5.0.0 Rejected', 'DATA', 'send'],
    [535, '535 5.7.8 Authentication credentials invalid', 'AUTH PLAIN', 'send'],
    [554, '554 No SMTP service here', 'CONN', 'send'],
    // Told apart by how many readers share it.
    [550, '550 Requested action not taken', 'RCPT TO', 'unclear'],
    [550, '550 5.0.0 Rejected', 'RCPT TO', 'unclear'],
    [550, '550 5.4.4 Unable to route', 'RCPT TO', 'unclear'],
    // A status whose class contradicts the code is not believed.
    [550, '550 4.1.1 User unknown', 'RCPT TO', 'unclear'],
    // Temporary: greylisting is about the reader, the relay's state is about the send.
    [450, '450 4.7.1 <reader@example.net>: Recipient address rejected: Greylisted', 'RCPT TO', 'retry'],
    [451, '451 Try again later', 'RCPT TO', 'retry'],
    [452, '452 4.2.2 Mailbox full', 'RCPT TO', 'retry'],
    [452, '452 4.3.1 Insufficient system storage', 'RCPT TO', 'retry (about the send)'],
    [421, '421 4.7.0 Closing connection', 'RCPT TO', 'retry (about the send)'],
    [451, '451 4.3.0 Local error', 'MAIL FROM', 'retry (about the send)'],
    [451, '451 4.3.0 Queue file write error', 'DATA', 'retry (about the send)'],
    [null, 'ECONNECTION could not connect to the relay', undefined, 'retry (about the send)'],
    [null, 'ETIMEDOUT the relay did not answer RCPT TO within 300000 ms', 'RCPT TO', 'retry (about the send)'],
  ];
  for (const [code, response, command, expected] of cases) assert.equal(judge(code, response, command), expected, `${response} (to ${command})`);
  assert.deepEqual(enhancedStatus({ code: 550, response: '550 5.1.10 x' }), { class: 5, subject: 1, detail: 10 });
  assert.equal(enhancedStatus({ code: 550, response: '550 5.1.1.2 x' }), undefined, 'not a status');
});

test('unclear refusals: a run broken by another answer stands as bounces, a run at the limit is the send refused, an open run waits', () => {
  const runs = new UnclearRefusals<string>(3);
  assert.deepEqual(runs.add(1, 'a'), []);
  assert.deepEqual(runs.add(1, 'b'), []);
  runs.interrupt(1);
  assert.deepEqual(runs.add(1, 'c'), [], 'a new run after the break');
  assert.deepEqual(runs.add(2, 'x'), [], 'each send has its own run');
  assert.deepEqual(runs.add(1, 'd'), []);
  assert.deepEqual(runs.add(1, 'e'), ['c', 'd', 'e'], 'the third in a row: the whole run');
  runs.interrupt(1);
  assert.deepEqual(runs.add(1, 'f'), ['f'], 'once refused, every unclear refusal of the send is');
  assert.deepEqual(runs.open(), ['x'], 'only the run below the limit is still open');
});

test('the reason the newsroom reads quotes the relay without the readers’ addresses', () => {
  assert.equal(withoutAddresses('554 5.7.1 <reader@example.net>: Recipient address rejected'), '554 5.7.1 <…>: Recipient address rejected');
  assert.equal(withoutAddresses('550 user reader@example.net unknown'), '550 user … unknown');
  assert.equal(withoutAddresses('554 5.7.1 <unknown[127.0.0.1]>: Client host rejected'), '554 5.7.1 <unknown[127.0.0.1]>: Client host rejected');
});
