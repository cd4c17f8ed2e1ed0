import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BatchOutcomes } from '../../src/delivery/attempt-outcome.ts';
import type { ClaimedRecipient } from '../../src/delivery/ledger.ts';
import { DEFAULT_RETRY_POLICY } from '../../src/delivery/retry-policy.ts';
import type { SubmitResult } from '../../src/delivery/transport.ts';

const row = (id: number, attempts = 1): ClaimedRecipient => ({ id, sendId: 1, publicationId: 1, subscriberId: id, email: `reader${id}@example.net`, attempts });
const bare: SubmitResult = { ok: false, code: 550, response: '550 Requested action not taken', command: 'RCPT TO' };
const accepted: SubmitResult = { ok: true, code: 250, response: '250 2.0.0 Ok: queued' };

test('an unclear refusal followed by a message accepted is the reader’s bounce', () => {
  const batch = new BatchOutcomes(DEFAULT_RETRY_POLICY, () => 0.5);
  const judged = [batch.judge(row(1), 'm1', bare, 0, 10), batch.judge(row(2), 'm2', accepted, 0, 11)];
  assert.deepEqual(judged.map((j) => [j.aboutSend, j.refusal]), [[false, undefined], [false, undefined]]);
  assert.deepEqual(batch.settled(judged.map((j) => j.outcome), 20).map((o) => o.state), ['bounced', 'sent']);
});

test('unclear refusals the batch ends on are tried again, not bounced; on the last attempt they fail, never bounce', () => {
  const batch = new BatchOutcomes(DEFAULT_RETRY_POLICY, () => 0.5);
  const judged = [batch.judge(row(1), 'm1', accepted, 0, 10), batch.judge(row(2), 'm2', bare, 0, 11), batch.judge(row(3, DEFAULT_RETRY_POLICY.maxAttempts), 'm3', bare, 0, 12)];
  const settled = batch.settled(judged.map((j) => j.outcome), 20);
  assert.deepEqual(settled.map((o) => o.state), ['sent', 'retry', 'failed']);
  assert.equal(settled[1]!.state === 'retry' && settled[1]!.nextAttemptAt, 20 + 22_500, 'after the first backoff');
  assert.match(settled[2]!.response, /^550 Requested action not taken/, 'the relay’s answer kept');
});

test('the run that reaches the limit fails every one of its rows and gives the reason, without the readers’ addresses', () => {
  const batch = new BatchOutcomes({ ...DEFAULT_RETRY_POLICY, unclearRefusalsInARow: 3 });
  const refusal: SubmitResult = { ...bare, response: '550 <reader2@example.net> refused' };
  const judged = [1, 2, 3, 4].map((id) => batch.judge(row(id), `m${id}`, refusal, 0, id));
  assert.deepEqual(judged.map((j) => Boolean(j.refusal)), [false, false, true, true]);
  assert.match(judged[2]!.refusal!, /^paused: the relay refused 3 readers in a row without saying why: 550 <…> refused \(to RCPT TO\)/);
  assert.deepEqual(batch.settled(judged.map((j) => j.outcome), 10).map((o) => o.state), ['failed', 'failed', 'failed', 'failed']);
});

test('a refusal of several lines reads as one in the reason, cut short when long', () => {
  const batch = new BatchOutcomes(DEFAULT_RETRY_POLICY);
  const gmailLike = '550-5.7.1 [192.0.2.1] Our system has detected that this message is\n550-5.7.1 likely unsolicited mail.\n550 5.7.1 https://support.google.com/mail/?p=UnsolicitedMessageError';
  const judged = batch.judge(row(1), 'm1', { ok: false, code: 550, response: gmailLike, command: 'DATA' }, 0, 1);
  assert.match(judged.refusal!, /refused the send: 550-5\.7\.1 \[192\.0\.2\.1\] Our system has detected that this message is likely unsolicited mail\. https:\/\/support\.google\.com\S+ \(to DATA\)/);
  const long = batch.judge(row(2), 'm2', { ok: false, code: 554, response: `554 5.7.1 ${'x'.repeat(1_000)}`, command: 'RCPT TO' }, 0, 2);
  assert.ok(long.refusal!.length < 500 && long.refusal!.includes('x…'), long.refusal);
  assert.equal(long.outcome.response.length, 1_010, 'the row keeps the whole answer');
});
