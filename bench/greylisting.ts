// Greylisting benchmark: the same send of N recipients delivered by the worker
// through a relay that answers 250 to everything, and through one that answers
// 451 to 10 % of the messages at random (half at RCPT, half at the end of
// DATA), in the same run, alternately; the ratio of the two rates says whether
// a healthy relay that greylists a few readers slows the send (issue 9 item 6:
// the limiter used to halve its rate at every 451, 2.7 messages/s from three
// workers). Every row must end final (sent) in both cases.
//
//   node bin/run-ts.js bench/greylisting.ts [--recipients 20000] [--runs 3] [--rate 1000] [--share 0.1]
//
// Each case runs in a child process of its own, against a minimal SMTP relay
// (PIPELINING) in one more process. Retries come back after 50–500 ms instead of
// minutes, so that the time measured is the sending, not the retry policy;
// the error-rate pause is off (it is not what is measured). Writes
// bench/results/greylisting.json and bench/results/greylisting.md (medians).
import { fork } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { systemClock } from '../src/clock.ts';
import { openStore } from '../src/store/db.ts';
import { migrateToLatest } from '../src/store/migrate.ts';
import { getSend } from '../src/store/sends.ts';
import { requestSend } from '../src/delivery/sends.ts';
import { deliveryParts, deliveryWorker } from '../src/delivery/worker.ts';
import { smtpPool } from '../src/delivery/smtp-pool.ts';
import { seedNewsroom, testConfig } from '../test/delivery/newsroom-fixture.ts';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const CONNECTIONS = 8;

interface CaseResult {
  case: 'clean' | 'greylisted';
  messages: number;
  /** From the first claim to the send done: every row final. */
  seconds: number;
  messagesPerSecond: number;
  /** Attempts the relay answered 451. */
  refused: number;
}

const { values } = parseArgs({
  options: {
    recipients: { type: 'string', default: '20000' },
    runs: { type: 'string', default: '3' },
    rate: { type: 'string', default: '1000' },
    share: { type: 'string', default: '0.1' },
    child: { type: 'string' },
    sink: { type: 'boolean', default: false },
    port: { type: 'string' },
  },
});

if (values.sink) {
  await runSink(Number(values.share));
} else if (values.child) {
  process.send!(await runCase(values.child as CaseResult['case'], Number(values.recipients), Number(values.port), values.rate!));
  process.exit(0);
} else {
  await main();
}

async function main(): Promise<void> {
  const recipients = Number(values.recipients);
  const runs = Number(values.runs);
  const share = Number(values.share);
  const sinks = { clean: await startSink(0), greylisted: await startSink(share) };
  const results: CaseResult[] = [];
  const loadBefore = loadavg().map(round);
  try {
    for (let run = 0; run < runs; run++) {
      for (const name of ['clean', 'greylisted'] as const) {
        const r = await child(name, recipients, sinks[name].port);
        process.stderr.write(`${name} run ${run + 1}: ${r.messages} messages in ${r.seconds.toFixed(2)} s = ${Math.round(r.messagesPerSecond)}/s, ${r.refused} answered 451\n`);
        results.push(r);
      }
    }
  } finally {
    sinks.clean.process.kill();
    sinks.greylisted.process.kill();
  }
  const loadAfter = loadavg().map(round);
  const medianOf = (name: CaseResult['case']) => median(results.filter((r) => r.case === name).map((r) => r.messagesPerSecond));
  const clean = medianOf('clean');
  const greylisted = medianOf('greylisted');
  const ratio = round(greylisted / clean);
  const perRound = Array.from({ length: runs }, (_, i) => round(results[2 * i + 1]!.messagesPerSecond / results[2 * i]!.messagesPerSecond));
  const machine = `Node ${process.version}, ${cpus()[0]?.model ?? 'unknown CPU'} (${cpus().length} cores, ${Math.round(totalmem() / 2 ** 30)} GB)`;
  const at = new Date().toISOString();
  const command = `node bin/run-ts.js bench/greylisting.ts --recipients ${recipients} --runs ${runs} --rate ${values.rate} --share ${share}`;
  const summary = { cleanMedianMessagesPerSecond: Math.round(clean), greylistedMedianMessagesPerSecond: Math.round(greylisted), ratio, ratioPerRound: perRound };
  mkdirSync(join(ROOT, 'bench/results'), { recursive: true });
  writeFileSync(
    join(ROOT, 'bench/results/greylisting.json'),
    JSON.stringify({ at, machine, command, connections: CONNECTIONS, loadAverage: { before: loadBefore, after: loadAfter }, summary, runs: results }, null, 2) + '\n',
  );
  const md = [
    '# Greylisting benchmark',
    '',
    `${recipients} recipients delivered by the worker (SQLite ledger, ${CONNECTIONS} SMTP connections, \`rate=${values.rate}\`) through a relay that`,
    `answers 250 to everything (clean), and through one that answers 451 to ${Math.round(share * 100)} % of the messages at random, half at RCPT and`,
    'half at the end of DATA (greylisted), alternately in the same run. Time: from the first claim to the send done, every row final;',
    'retries come back after 50–500 ms (minutes in production), the error-rate pause is off.',
    `Medians of ${runs} runs, each case in its own process; \`${command}\`.`,
    `${at}, ${machine}; the machine is shared: load average (1, 5, 15 min) ${loadBefore.join(', ')} before the runs, ${loadAfter.join(', ')} after.`,
    '',
    '| case | median messages/s |',
    '| --- | ---: |',
    `| clean | ${Math.round(clean)} |`,
    `| greylisted (${Math.round(share * 100)} % of 451) | ${Math.round(greylisted)} |`,
    `| **ratio** | **${ratio}** (goal: at least 0.5) |`,
    '',
    `Ratio per round (greylisted / the clean run just before it): ${perRound.join(', ')}.`,
    '',
    'Each run, in the order run:',
    '',
    ...results.map((r) => `- ${r.case}: ${Math.round(r.messagesPerSecond)}/s, ${round(r.seconds)} s, ${r.refused} answered 451`),
    '',
  ].join('\n');
  writeFileSync(join(ROOT, 'bench/results/greylisting.md'), md);
  process.stdout.write(md);
}

function startSink(share: number): Promise<{ process: ReturnType<typeof fork>; port: number }> {
  const p = fork(fileURLToPath(import.meta.url), ['--sink', '--share', String(share)], { execArgv: ['--import', 'tsx'] });
  return new Promise((resolve) => p.once('message', (m) => resolve({ process: p, port: (m as { port: number }).port })));
}

function child(name: CaseResult['case'], recipients: number, port: number): Promise<CaseResult> {
  const c = fork(fileURLToPath(import.meta.url), ['--child', name, '--recipients', String(recipients), '--port', String(port), '--rate', values.rate!], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return new Promise((resolve, reject) => {
    c.once('message', (m) => resolve(m as CaseResult));
    c.once('exit', (code) => code !== 0 && reject(new Error(`${name} exited with ${code}`)));
  });
}

async function runCase(name: CaseResult['case'], recipients: number, port: number, rate: string): Promise<CaseResult> {
  const dir = mkdtempSync(join(tmpdir(), 'matinale-bench-'));
  const store = openStore({ sqlitePath: join(dir, 'matinale.sqlite') });
  try {
    await migrateToLatest(store);
    const newsroom = await seedNewsroom(store, Math.ceil(recipients / 0.9) + 2);
    const transport = smtpPool([`smtp://127.0.0.1:${port}?pool=${CONNECTIONS}&rate=${rate}`], { clock: systemClock });
    const quiet = { info: () => {}, warn: () => {}, error: (o: object, m: string) => process.stderr.write(`${m} ${JSON.stringify(o)}\n`) };
    const parts = deliveryParts({ store, config: testConfig({ dataDir: dir }), clock: systemClock, transport, logger: quiet });
    const send = await requestSend(parts.sendDeps, { editionId: newsroom.editionId, createdBy: 'bench' });
    const worker = deliveryWorker(store, parts, 'bench', {
      batchSize: 500,
      retry: { baseDelayMs: 100, maxDelayMs: 500, deadlineMs: 3_600_000, maxAttempts: 30 },
      errorRate: { windowMs: 60_000, threshold: 1, minAttempts: Number.MAX_SAFE_INTEGER },
    });
    const t0 = performance.now();
    let done = false;
    // Two batches in flight, as startWorker runs them; a short poll while only retries are left.
    const lane = async () => {
      while (!done) {
        if ((await worker.runBatch({ sendId: send.id })) > 0) continue;
        if ((await getSend(store, send.id))?.status === 'done') done = true;
        else await new Promise((r) => setTimeout(r, 20));
      }
    };
    await Promise.all([lane(), lane()]);
    const seconds = (performance.now() - t0) / 1000;
    await transport.close();
    const rows = await store.db.selectFrom('recipients').select(['state', 'attempts']).where('send_id', '=', send.id).execute();
    const sent = rows.filter((r) => r.state === 'sent').length;
    if (sent !== newsroom.active.length) throw new Error(`send not complete: ${sent} sent of ${newsroom.active.length}`);
    const refused = rows.reduce((n, r) => n + r.attempts - 1, 0);
    return { case: name, messages: sent, seconds, messagesPerSecond: sent / seconds, refused };
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A minimal SMTP relay (PIPELINING) that answers 451 to `share` of the messages, half at RCPT and half at the end of DATA. */
async function runSink(share: number): Promise<void> {
  const END = Buffer.from('\r\n.\r\n', 'latin1');
  const server = createServer((socket: Socket) => {
    let data = false;
    let refuseData = false;
    let recipientRefused = false;
    let pending: Buffer = Buffer.alloc(0);
    socket.setNoDelay(true);
    socket.write('220 sink ESMTP\r\n');
    socket.on('data', (chunk: Buffer) => {
      let buffer: Buffer = pending.length ? Buffer.concat([pending, chunk]) : chunk;
      let out = '';
      for (;;) {
        if (data) {
          const end = buffer.indexOf(END);
          if (end < 0) {
            buffer = Buffer.from(buffer.subarray(Math.max(0, buffer.length - 4)));
            break;
          }
          buffer = buffer.subarray(end + END.length);
          data = false;
          out += refuseData ? '451 4.3.0 Try again later\r\n' : '250 2.0.0 Ok: queued\r\n';
          continue;
        }
        const eol = buffer.indexOf('\r\n');
        if (eol < 0) break;
        const line = buffer.subarray(0, Math.min(eol, 4)).toString('latin1').toUpperCase();
        buffer = buffer.subarray(eol + 2);
        if (line === 'EHLO') out += '250-sink\r\n250-PIPELINING\r\n250 8BITMIME\r\n';
        else if (line === 'MAIL') {
          const r = Math.random();
          recipientRefused = r < share / 2;
          refuseData = !recipientRefused && r < share;
          out += '250 Ok\r\n';
        } else if (line === 'RCPT') out += recipientRefused ? '451 4.7.1 Greylisted, try again later\r\n' : '250 Ok\r\n';
        else if (line === 'DATA') {
          // No valid recipient: no message (RFC 2920: the client sends none).
          if (recipientRefused) {
            out += '554 5.5.1 No valid recipients\r\n';
            continue;
          }
          out += '354 go ahead\r\n';
          data = true;
          buffer = Buffer.concat([Buffer.from('\r\n'), buffer]);
        } else if (line === 'QUIT') {
          socket.end(out + '221 bye\r\n');
          return;
        } else out += '250 Ok\r\n';
      }
      pending = buffer;
      if (out) socket.write(out);
    });
    socket.on('error', () => {});
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  process.send!({ port: typeof address === 'object' && address ? address.port : 0 });
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

function round(x: number): number {
  return Math.round(x * 100) / 100;
}
