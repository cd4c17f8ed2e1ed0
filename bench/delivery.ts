// Delivery benchmark: N recipients snapshotted into the ledger (SQLite), then
// delivered by a worker (claim → splice → submit → record) over reused SMTP
// connections to a local sink in another process, beside nodemailer's pooled
// transport composing each message itself (sendMail with the recipient's HTML
// and text) to the same sink, in the same run.
//
//   node bin/run-ts.js bench/delivery.ts [--recipients 20000] [--runs 3] [--baseline 5000]
//                                        [--cases matinale,matinale-dkim,nodemailer-pool]
//
// Each case runs in a child process of its own (its peak RSS is its own); the
// sink is a minimal SMTP server (PIPELINING, 250 to everything) in one more
// process, so that it costs the measured process nothing. Writes
// bench/results/delivery.json and bench/results/delivery.md (medians).
import { fork, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer, type Socket } from 'node:net';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateKeyPairSync } from 'node:crypto';
import { parseArgs } from 'node:util';
import nodemailer from 'nodemailer';
import { systemClock } from '../src/clock.ts';
import { openStore } from '../src/store/db.ts';
import { migrateToLatest } from '../src/store/migrate.ts';
import { getSend } from '../src/store/sends.ts';
import { requestSend } from '../src/delivery/sends.ts';
import { deliveryParts, deliveryWorker } from '../src/delivery/worker.ts';
import { smtpPool } from '../src/delivery/smtp-pool.ts';
import { DkimSigner } from '../src/delivery/dkim.ts';
import { loadEdition } from '../src/edition/load.ts';
import { renderEmail } from '../src/render/email.ts';
import { renderText } from '../src/render/text.ts';
import { subjectOf } from '../src/render/edition-text.ts';
import { fillPlaceholders } from '../src/render/placeholders.ts';
import { escapeHtml } from '../src/render/html-escape.ts';
import { seedNewsroom, testConfig, PUBLIC } from '../test/delivery/newsroom-fixture.ts';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const CASES = ['matinale', 'matinale-dkim', 'nodemailer-pool'] as const;
type CaseName = (typeof CASES)[number];

interface CaseResult {
  case: CaseName;
  messages: number;
  /** Delivery only: from the first claim to the last recorded result. */
  seconds: number;
  messagesPerSecond: number;
  /** Snapshot of the recipients and the one rendering + MIME encoding of the send. */
  startMs: number;
  peakRssMiB: number;
}

const { values } = parseArgs({
  options: {
    recipients: { type: 'string', default: '20000' },
    runs: { type: 'string', default: '3' },
    baseline: { type: 'string', default: '5000' },
    cases: { type: 'string', default: CASES.join(',') },
    child: { type: 'string' },
    sink: { type: 'boolean', default: false },
    port: { type: 'string' },
  },
});

const CONNECTIONS = 8;

if (values.sink) {
  await runSink();
} else if (values.child) {
  const result = await runCase(values.child as CaseName, Number(values.recipients), Number(values.port));
  process.send!(result);
  process.exit(0);
} else {
  await main();
}

async function main(): Promise<void> {
  const recipients = Number(values.recipients);
  const runs = Number(values.runs);
  const baselineRecipients = Math.min(recipients, Number(values.baseline));
  const cases = values.cases!.split(',').filter((c): c is CaseName => (CASES as readonly string[]).includes(c));
  if (!cases.includes('nodemailer-pool')) throw new Error('--cases must include nodemailer-pool, the baseline');
  const sink = fork(fileURLToPath(import.meta.url), ['--sink'], { execArgv: ['--import', 'tsx'] });
  const port = await new Promise<number>((resolve) => sink.once('message', (m) => resolve((m as { port: number }).port)));
  const results: CaseResult[] = [];
  // Other work on a shared machine slows every case: the load says how much.
  const loadBefore = loadavg().map(round);
  try {
    for (let run = 0; run < runs; run++) {
      for (const name of cases) {
        const n = name === 'nodemailer-pool' ? baselineRecipients : recipients;
        const r = await child(name, n, port);
        process.stderr.write(`${name} run ${run + 1}: ${r.messages} messages in ${r.seconds.toFixed(2)} s = ${Math.round(r.messagesPerSecond)}/s, peak RSS ${r.peakRssMiB} MiB\n`);
        results.push(r);
      }
    }
  } finally {
    sink.kill();
  }
  const loadAfter = loadavg().map(round);
  const summary = cases.map((name) => {
    const mine = results.filter((r) => r.case === name);
    return {
      case: name,
      messages: mine[0]!.messages,
      runs: mine.length,
      medianMessagesPerSecond: Math.round(median(mine.map((r) => r.messagesPerSecond))),
      medianSeconds: round(median(mine.map((r) => r.seconds))),
      medianStartMs: Math.round(median(mine.map((r) => r.startMs))),
      medianPeakRssMiB: Math.round(median(mine.map((r) => r.peakRssMiB))),
    };
  });
  const base = summary.find((s) => s.case === 'nodemailer-pool')!.medianMessagesPerSecond;
  const withRatio = summary.map((s) => ({ ...s, ratioToNodemailerPool: round(s.medianMessagesPerSecond / base) }));
  const machine = `Node ${process.version}, ${cpus()[0]?.model ?? 'unknown CPU'} (${cpus().length} cores, ${Math.round(totalmem() / 2 ** 30)} GB)`;
  const at = new Date().toISOString();
  const command = `node bin/run-ts.js bench/delivery.ts --recipients ${recipients} --runs ${runs} --baseline ${baselineRecipients} --cases ${cases.join(',')}`;
  mkdirSync(join(ROOT, 'bench/results'), { recursive: true });
  writeFileSync(join(ROOT, 'bench/results/delivery.json'), JSON.stringify({ at, machine, command, connections: CONNECTIONS, loadAverage: { before: loadBefore, after: loadAfter }, summary: withRatio, runs: results }, null, 2) + '\n');
  const md = [
    '# Delivery benchmark',
    '',
    `${recipients} recipients snapshotted into the ledger (SQLite) and delivered through ${CONNECTIONS} reused SMTP connections`,
    'to a minimal local SMTP sink in another process (PIPELINING, 250 to everything), beside nodemailer\'s pooled',
    `transport composing each message itself (\`sendMail\` with the recipient's HTML and text, ${CONNECTIONS} connections) for ${baselineRecipients} of them.`,
    `Medians of ${runs} runs, each case in its own process; \`${command}\`.`,
    `${at}, ${machine}; the machine is shared, so absolute figures move between runs:`,
    `load average (1, 5, 15 min) ${loadBefore.join(', ')} before the runs, ${loadAfter.join(', ')} after.`,
    '',
    '| case | messages | median messages/s | × nodemailer pool | median s | snapshot + encode once (ms) | peak RSS MiB |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...withRatio.map(
      (s) => `| ${s.case} | ${s.messages} | ${s.medianMessagesPerSecond} | ${s.ratioToNodemailerPool} | ${s.medianSeconds} | ${s.case === 'nodemailer-pool' ? '–' : s.medianStartMs} | ${s.medianPeakRssMiB} |`,
    ),
    '',
    '`matinale`: the worker without DKIM (the goal: at least 10 × the nodemailer pool). `matinale-dkim`: the same with a',
    '2048-bit RSA DKIM signature per recipient (one RSA signature each: the CPU cost of signing dominates).',
    'Delivery time counts claims, splices, SMTP and the recorded results in the ledger, not the snapshot.',
    "The worker's SMTP sessions are our own client (src/delivery/smtp-client.ts); the baseline is nodemailer's, unchanged.",
    '',
    'Each run, in the order run:',
    '',
    ...results.map((r) => `- ${r.case}: ${Math.round(r.messagesPerSecond)}/s, ${round(r.seconds)} s, peak RSS ${r.peakRssMiB} MiB`),
    '',
  ].join('\n');
  writeFileSync(join(ROOT, 'bench/results/delivery.md'), md);
  process.stdout.write(md);
}

function child(name: CaseName, recipients: number, port: number): Promise<CaseResult> {
  const c: ChildProcess = fork(fileURLToPath(import.meta.url), ['--child', name, '--recipients', String(recipients), '--port', String(port)], {
    execArgv: ['--import', 'tsx', ...(process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [])],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return new Promise((resolve, reject) => {
    c.once('message', (m) => resolve(m as CaseResult));
    c.once('exit', (code) => code !== 0 && reject(new Error(`${name} exited with ${code}`)));
  });
}

async function runCase(name: CaseName, recipients: number, port: number): Promise<CaseResult> {
  const dir = mkdtempSync(join(tmpdir(), 'matinale-bench-'));
  const store = openStore({ sqlitePath: join(dir, 'matinale.sqlite') });
  try {
    await migrateToLatest(store);
    const newsroom = await seedNewsroom(store, Math.ceil(recipients / 0.9) + 2);
    const relay = `smtp://127.0.0.1:${port}?pool=${CONNECTIONS}`;
    if (name === 'nodemailer-pool') return await runNodemailer(store, newsroom.active.slice(0, recipients), port);

    const clock = systemClock;
    let dkim: DkimSigner | undefined;
    if (name === 'matinale-dkim') {
      const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
      dkim = new DkimSigner({ domain: 'example.org', selector: 'bench', privateKey: pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() });
    }
    const transport = smtpPool([relay], { clock });
    const quiet = { info: () => {}, warn: () => {}, error: (o: object, m: string) => process.stderr.write(`${m} ${JSON.stringify(o)}\n`) };
    const parts = deliveryParts({ store, config: testConfig({ dataDir: dir }), clock, transport, logger: quiet });
    const t0 = performance.now();
    const send = await requestSend(parts.sendDeps, { editionId: newsroom.editionId, createdBy: 'bench' });
    const t1 = performance.now();
    // The worker as `matinale worker` builds it (signed return paths, the recheck of readers who left), DKIM as the case asks.
    const worker = deliveryWorker(store, { ...parts, dkim }, 'bench', { batchSize: 500 });
    // Two batches in flight, as startWorker runs them (lanes: 2).
    const lane = async () => {
      while ((await worker.runBatch()) > 0);
    };
    await Promise.all([lane(), lane()]);
    const t2 = performance.now();
    await transport.close();
    const done = await getSend(store, send.id);
    const sent = await store.db.selectFrom('recipients').select((eb) => eb.fn.countAll<number>().as('n')).where('send_id', '=', send.id).where('state', '=', 'sent').executeTakeFirstOrThrow();
    if (done?.status !== 'done' || Number(sent.n) !== newsroom.active.length) throw new Error(`send not complete: ${done?.status}, ${sent.n} sent`);
    const seconds = (t2 - t1) / 1000;
    return { case: name, messages: Number(sent.n), seconds, messagesPerSecond: Number(sent.n) / seconds, startMs: t1 - t0, peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024) };
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The baseline: nodemailer's pooled SMTP transport, composing every message from HTML and text. */
async function runNodemailer(store: ReturnType<typeof openStore>, emails: string[], port: number): Promise<CaseResult> {
  const loaded = await loadEdition(join(ROOT, 'examples/2026-03-02-tech-matin.md'));
  const html = renderEmail(loaded.edition!, loaded.publication!, { publicUrl: PUBLIC });
  const text = renderText(loaded.edition!, loaded.publication!, { publicUrl: PUBLIC });
  const subject = subjectOf(loaded.edition!);
  // The recipients come from the database, as the worker's do.
  const rows = await store.db.selectFrom('subscribers').select(['id', 'email']).where('email', 'in', emails).orderBy('id').execute();
  const transport = nodemailer.createTransport({ pool: true, host: '127.0.0.1', port, secure: false, ignoreTLS: true, maxConnections: CONNECTIONS, maxMessages: Infinity });
  // The same TCP setting as our pool (no Nagle stall at the end of DATA), so that the comparison is of the work, not of the socket.
  (transport.transporter as unknown as { getSocket: (o: unknown, cb: (err: Error | null, s?: { connection: Socket }) => void) => void }).getSocket = (_o, cb) => {
    const socket = connect(port, '127.0.0.1', () => cb(null, { connection: socket }));
    socket.setNoDelay(true);
    socket.once('error', (err) => cb(err));
  };
  const t1 = performance.now();
  let next = 0;
  const lane = async () => {
    while (next < rows.length) {
      const r = rows[next++]!;
      const values = { unsubscribeUrl: `${PUBLIC}/unsubscribe/u${r.id}`, preferencesUrl: `${PUBLIC}/preferences/p${r.id}`, recipient: r.email! };
      await transport.sendMail({
        from: loaded.publication!.from,
        to: r.email!,
        subject,
        text: fillPlaceholders(text, values),
        html: fillPlaceholders(html, values, escapeHtml),
        messageId: `<bench.${r.id}@example.org>`,
        headers: { 'List-Unsubscribe': `<${values.unsubscribeUrl}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' },
      });
    }
  };
  await Promise.all(Array.from({ length: CONNECTIONS * 4 }, lane));
  const seconds = (performance.now() - t1) / 1000;
  transport.close();
  return { case: 'nodemailer-pool', messages: rows.length, seconds, messagesPerSecond: rows.length / seconds, startMs: 0, peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024) };
}

/** A minimal SMTP sink: PIPELINING, 250 to every command; scans message bytes without copying them. */
async function runSink(): Promise<void> {
  const END = Buffer.from('\r\n.\r\n', 'latin1');
  const server = createServer((socket: Socket) => {
    let data = false;
    // Command mode: the unread bytes. Data mode: the last 4 bytes seen (a terminator may straddle chunks).
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
          out += '250 2.0.0 Ok: queued\r\n';
          continue;
        }
        const eol = buffer.indexOf('\r\n');
        if (eol < 0) break;
        const line = buffer.subarray(0, Math.min(eol, 4)).toString('latin1').toUpperCase();
        buffer = buffer.subarray(eol + 2);
        if (line === 'EHLO') out += '250-sink\r\n250-PIPELINING\r\n250-8BITMIME\r\n250 SIZE 52428800\r\n';
        else if (line === 'DATA') {
          out += '354 go ahead\r\n';
          data = true;
          // The terminator search starts at the CRLF that ended the DATA line.
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
