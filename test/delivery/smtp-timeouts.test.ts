// How long the client waits for each reply (issue 9: every reply waited 120 s,
// so a relay that took a message after 125 s got it twice). Against a raw relay
// over `net` that stays silent at one chosen step: each step waits exactly its
// own timeout, set per relay on SMTP_URL, and by default RFC 5321 §4.5.3.2's.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { systemClock } from '../../src/clock.ts';
import { parseRelayUrl, smtpPool } from '../../src/delivery/smtp-pool.ts';
import { judgeRefusal } from '../../src/delivery/retry-policy.ts';
import type { SubmitResult } from '../../src/delivery/transport.ts';

type Step = 'greeting' | 'EHLO' | 'MAIL' | 'RCPT' | 'DATA' | 'END';

/** A relay that answers everything (no PIPELINING) but stays silent at `silentAt`, holding the connection open. */
async function silentRelay(silentAt: Step) {
  const commands: string[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    commands.push('CONNECT');
    socket.on('error', () => {});
    socket.on('close', () => sockets.delete(socket));
    let inData = false;
    let buffered = '';
    if (silentAt !== 'greeting') socket.write('220 slow.example.net ESMTP\r\n');
    socket.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('latin1');
      if (inData) {
        if (!buffered.includes('\r\n.\r\n')) return;
        inData = false;
        buffered = '';
        commands.push('END');
        if (silentAt !== 'END') socket.write('250 2.0.0 queued\r\n');
        return;
      }
      const lines = buffered.split('\r\n');
      buffered = lines.pop()!;
      for (const line of lines) {
        const verb = line.split(/[ :]/)[0]!.toUpperCase();
        commands.push(verb);
        if (verb === silentAt) return;
        if (verb === 'EHLO') socket.write('250-slow.example.net\r\n250 8BITMIME\r\n');
        else if (verb === 'DATA') {
          inData = true;
          socket.write('354 go ahead\r\n');
        } else socket.write(verb === 'QUIT' ? '221 bye\r\n' : '250 2.1.0 ok\r\n');
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    commands,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

const message = { from: 'bounces+1-1@example.org', to: 'reader@example.net', raw: Buffer.from('Subject: x\r\n\r\nbody\r\n'), messageId: 'm1' };

/** The command each step's silence leaves unanswered, as the error names it. */
const COMMAND: Record<Step, string> = { greeting: 'CONN', EHLO: 'EHLO', MAIL: 'MAIL FROM', RCPT: 'RCPT TO', DATA: 'DATA', END: 'DATA' };

test('SMTP_URL sets each wait; a value that is not a duration, or a misspelt option, is refused naming the option', () => {
  const r = parseRelayUrl('smtp://relay.example.net:25?greetingTimeout=90s&commandTimeout=4m&dataStartTimeout=150000&dataEndTimeout=15m&connectTimeout=5s');
  assert.deepEqual(r.timeouts, { connectMs: 5_000, greetingMs: 90_000, commandMs: 240_000, dataStartMs: 150_000, dataEndMs: 900_000 });
  assert.deepEqual(parseRelayUrl('smtp://relay.example.net:25').timeouts, {});
  for (const [query, option] of [
    ['dataEndTimeout=soon', 'dataEndTimeout'],
    ['greetingTimeout=-5m', 'greetingTimeout'],
    ['commandTimeout=0', 'commandTimeout'],
    ['dataStartTimeout=3d', 'dataStartTimeout'],
    ['dataEndTimout=15m', 'dataEndTimout'],
  ]) {
    assert.throws(() => parseRelayUrl(`smtp://relay.example.net:25?${query}`), new RegExp(`^Error: SMTP_URL option ${option} `), query);
  }
});

test('each step waits its own timeout from SMTP_URL, no more, and names the command left unanswered', { timeout: 30_000 }, async () => {
  const waits: Record<Step, number> = { greeting: 150, EHLO: 250, MAIL: 250, RCPT: 250, DATA: 350, END: 450 };
  const query = 'greetingTimeout=150ms&commandTimeout=250ms&dataStartTimeout=350ms&dataEndTimeout=450ms';
  await Promise.all(
    (Object.keys(waits) as Step[]).map(async (step) => {
      const relay = await silentRelay(step);
      const transport = smtpPool([`smtp://127.0.0.1:${relay.port}?${query}`], { clock: systemClock });
      try {
        const started = Date.now();
        const r = await transport.submit(message);
        const took = Date.now() - started;
        assert.equal(r.ok, false, step);
        assert.equal(!r.ok && judgeRefusal(r).kind, 'retry', `${step}: a timeout is temporary`);
        assert.equal(!r.ok && r.response, `ETIMEDOUT the relay did not answer ${COMMAND[step]} within ${waits[step]} ms`, step);
        assert.ok(took >= waits[step] - 5, `${step}: gave up after ${took} ms`);
        assert.ok(took < waits[step] + 3_000, `${step}: gave up after ${took} ms`);
      } finally {
        await transport.close();
        await relay.close();
      }
    }),
  );
});

test('by default each step waits what RFC 5321 §4.5.3.2 asks: greeting, MAIL and RCPT 5 min, DATA 2 min, end of data 10 min', { timeout: 30_000 }, async (t) => {
  const rfc: Array<[Step, number]> = [
    ['greeting', 5 * 60_000],
    ['MAIL', 5 * 60_000],
    ['RCPT', 5 * 60_000],
    ['DATA', 2 * 60_000],
    ['END', 10 * 60_000],
  ];
  for (const [step, wait] of rfc) {
    const relay = await silentRelay(step);
    // Only the client's timers are faked: the sockets are real, and the test waits for them with setImmediate.
    t.mock.timers.enable({ apis: ['setTimeout'] });
    const transport = smtpPool([`smtp://127.0.0.1:${relay.port}`], { clock: systemClock });
    try {
      const got: { result?: SubmitResult } = {};
      void transport.submit(message).then((r) => (got.result = r));
      // Until the relay has received the step it will not answer (the greeting: until connected).
      const reached = step === 'greeting' ? 'CONNECT' : step;
      for (let i = 0; i < 10_000 && !relay.commands.includes(reached); i++) await new Promise((resolve) => setImmediate(resolve));
      assert.ok(relay.commands.includes(reached), `${step} reached`);
      for (let i = 0; i < 50; i++) await new Promise((resolve) => setImmediate(resolve));
      t.mock.timers.tick(wait - 1);
      for (let i = 0; i < 50; i++) await new Promise((resolve) => setImmediate(resolve));
      assert.equal(got.result, undefined, `${step}: still waiting after ${wait - 1} ms`);
      t.mock.timers.tick(1);
      for (let i = 0; i < 1_000 && !got.result; i++) await new Promise((resolve) => setImmediate(resolve));
      const result = got.result as SubmitResult | undefined;
      assert.equal(!result?.ok && result?.response, `ETIMEDOUT the relay did not answer ${COMMAND[step]} within ${wait} ms`, step);
    } finally {
      t.mock.timers.reset();
      await transport.close();
      await relay.close();
    }
  }
});
