// What the smtpPool tests share: a small message numbered n, its dot-led line
// and all, and what the retry policy makes of the pool's result (the pool
// only reports the relay's answer; the policy decides).
import type { OutgoingMessage, SubmitResult } from '../../src/delivery/transport.ts';
import { judgeRefusal } from '../../src/delivery/retry-policy.ts';

/** What the retry policy makes of a result: the pool only reports it. */
export const verdict = (r: SubmitResult) => (r.ok ? 'sent' : judgeRefusal(r).kind);

export function message(n: number, to = `reader${n}@example.net`): OutgoingMessage {
  const messageId = `1.${n}.matinale@example.org`;
  const raw = Buffer.from(`From: a@example.org\r\nTo: <${to}>\r\nMessage-ID: <${messageId}>\r\nSubject: n${n}\r\n\r\n.a line that starts with a dot\r\nbody ${n}\r\n`);
  return { from: `bounces+1-${n}@example.org`, to, raw, messageId };
}
