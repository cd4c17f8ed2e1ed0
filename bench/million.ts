// A million readers, three workers: one list send of N recipients (1,000,000
// by default) on PostgreSQL, started with `matinale send ID --now` (the
// snapshot), delivered by three `matinale worker` processes into Postfix's
// `smtp-sink` on loopback, beside Postfix's `smtp-source` pushing the very
// message Matinale rendered into the same sink through the same total of
// connections, in the same run.
//
//   npm run bench:million [-- --messages 1000000] [--workers 3] [--pool 5] [--reference 100000]
//
// Reports every row accounted for (sent once, in one attempt), how many each
// worker sent (the `delivery batch` lines of its log), each worker's peak RSS,
// its resident memory in each quarter of the send (flat in the list's size, or
// not), the snapshot's time, the send's rate and its ratio to smtp-source's,
// and the load average before and after. Writes bench/results/million.json and .md.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createSchema, DATABASE_URL, dropSchema } from './pg-schema.ts';
import { seedList } from './list-seed.ts';
import { openStore } from '../src/store/db.ts';
import { migrateToLatest } from '../src/store/migrate.ts';
import { PUBLIC, SECRET } from '../test/delivery/newsroom-fixture.ts';
import { freePort, waitForPort } from './ports.ts';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const { values } = parseArgs({
  options: {
    messages: { type: 'string', default: '1000000' },
    workers: { type: 'string', default: '3' },
    /** Connections per worker; smtp-source gets workers × pool. */
    pool: { type: 'string', default: '5' },
    /** Messages smtp-source sends (its rate is what counts; default: the same as the send, at most 200,000). */
    reference: { type: 'string' },
  },
});
const messages = Number(values.messages);
const workerCount = Number(values.workers);
const pool = Number(values.pool);
const connections = workerCount * pool;
const referenceMessages = Number(values.reference ?? Math.min(messages, 200_000));
const round = (x: number) => Math.round(x * 100) / 100;

const work = mkdtempSync(join(tmpdir(), 'matinale-million-'));
let sink: ChildProcess | undefined;
const workers: Array<{ child: ChildProcess; stderr: string[]; peakRssMiB: number }> = [];
let schema: string | undefined;

try {
  await main();
} finally {
  for (const w of workers) if (w.child.exitCode === null) w.child.kill('SIGKILL');
  sink?.kill();
  if (schema) await dropSchema(schema);
  rmSync(work, { recursive: true, force: true });
}

async function main(): Promise<void> {
  const loadBefore = loadavg().map(round);
  const port = await freePort();
  // -c: count; -u: the user it runs as when started by root; 1000: the listen backlog.
  sink = spawn('smtp-sink', ['-c', '-u', process.env.USER || 'root', `127.0.0.1:${port}`, '1000'], { stdio: ['ignore', 'ignore', 'inherit'] });
  await waitForPort(port);

  schema = await createSchema();
  const url = new URL(DATABASE_URL);
  url.searchParams.set('options', `-c search_path=${schema}`);
  const store = openStore({ databaseUrl: DATABASE_URL, schema, maxConnections: 2 });
  let seedSeconds: number;
  let seeded: Awaited<ReturnType<typeof seedList>>;
  try {
    await migrateToLatest(store);
    // Enough readers that, the suppressed ones left out, the send has `messages` recipients.
    let n = messages;
    while (n - Math.floor(n / 100) < messages) n++;
    const t = performance.now();
    seeded = await seedList(store, n);
    seedSeconds = (performance.now() - t) / 1000;
    if (seeded.mailable !== messages) throw new Error(`seeded ${seeded.mailable} mailable readers, not ${messages}`);
  } finally {
    await store.close();
  }
  const env = (dataDir: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv => {
    const e: NodeJS.ProcessEnv = { ...process.env, DATABASE_URL: url.toString(), DATA_DIR: dataDir, PUBLIC_URL: PUBLIC, MATINALE_SECRET: SECRET, ...extra };
    for (const k of ['SMTP_URL', 'DKIM_DOMAIN', 'DKIM_SELECTOR', 'DKIM_PRIVATE_KEY_FILE', 'LOG_LEVEL']) if (!(k in extra)) delete e[k];
    return e;
  };
  const matinale = (args: string[], e: NodeJS.ProcessEnv) => execFileSync(process.execPath, [join(ROOT, 'bin/matinale.js'), ...args], { env: e, cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] }).toString();

  // The very message of the send: a test send to the outbox renders it with the same template and splice.
  const renderDir = join(work, 'render');
  matinale(['send', String(seeded.editionId), '--test', 'reader1@example.net', '--wait'], env(renderDir));
  const eml = readdirSync(join(renderDir, 'outbox')).find((f) => f.endsWith('.eml'));
  if (!eml) throw new Error('the rendering send left no message in the outbox');
  const raw = readFileSync(join(renderDir, 'outbox', eml));
  const messageFile = join(work, 'message.txt');
  // smtp-source -F ends each line it reads with CRLF: it gets LF lines.
  writeFileSync(messageFile, raw.toString('latin1').replace(/\r\n/g, '\n'), 'latin1');

  // The reference: smtp-source, the same message, the same total of connections, the same sink.
  const s0 = performance.now();
  execFileSync('smtp-source', ['-d', '-s', String(connections), '-m', String(referenceMessages), '-F', messageFile, '-f', 'bench@example.org', '-t', 'reader@example.net', `127.0.0.1:${port}`], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const sourceSeconds = (performance.now() - s0) / 1000;
  const sourceRate = referenceMessages / sourceSeconds;
  process.stderr.write(`smtp-source: ${referenceMessages} messages in ${sourceSeconds.toFixed(1)} s = ${Math.round(sourceRate)}/s\n`);

  // The workers, ready before the send starts.
  const smtpUrl = `smtp://127.0.0.1:${port}?pool=${pool}`;
  await Promise.all(Array.from({ length: workerCount }, (_, i) => startWorker(env(join(work, `worker-${i}`), { SMTP_URL: smtpUrl }))));

  const t0 = performance.now();
  matinale(['send', String(seeded.editionId), '--now'], env(join(work, 'send'), { SMTP_URL: smtpUrl }));
  const sendCommandSeconds = (performance.now() - t0) / 1000;
  process.stderr.write(`send --now (the snapshot of ${messages} readers): ${sendCommandSeconds.toFixed(1)} s\n`);

  const probe = openStore({ databaseUrl: DATABASE_URL, schema, maxConnections: 1 });
  // Each worker's resident memory at each look, with the rows sent by then: flat in the list's size, or not.
  const rssAlong: Array<{ sent: number; rssMiB: number[] }> = [];
  let result;
  try {
    const send = await probe.db.selectFrom('sends').selectAll().where('edition_id', '=', seeded.editionId).where('kind', '=', 'list').executeTakeFirstOrThrow();
    for (let last = -1; ; ) {
      const now = await probe.db.selectFrom('sends').select(['status', 'started_at', 'finished_at']).where('id', '=', send.id).executeTakeFirstOrThrow();
      if (now.status === 'done') break;
      if (now.status !== 'running') throw new Error(`the send is ${now.status}`);
      await new Promise((r) => setTimeout(r, 5000));
      for (const w of workers) w.peakRssMiB = Math.max(w.peakRssMiB, peakRss(w.child.pid!));
      const sent = workers.map((w) => sentInLog(w.stderr.join('')));
      const total = sent.reduce((a, b) => a + b, 0);
      rssAlong.push({ sent: total, rssMiB: workers.map((w) => rss(w.child.pid!)) });
      if (total !== last) process.stderr.write(`  ${total} sent (${sent.join(' + ')}), ${Math.round((performance.now() - t0) / 1000)} s, load ${loadavg()[0]!.toFixed(1)}\n`);
      last = total;
    }
    const deliverSeconds = (performance.now() - t0) / 1000;
    const done = await probe.db.selectFrom('sends').selectAll().where('id', '=', send.id).executeTakeFirstOrThrow();
    const states = await probe.db
      .selectFrom('recipients')
      .select((eb) => ['state', eb.fn.countAll<string>().as('n')])
      .where('send_id', '=', send.id)
      .groupBy('state')
      .execute();
    const notOnce = await probe.db
      .selectFrom('recipients')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('send_id', '=', send.id)
      .where('attempts', '<>', 1)
      .executeTakeFirstOrThrow();
    for (const w of workers) w.peakRssMiB = Math.max(w.peakRssMiB, peakRss(w.child.pid!));
    await Promise.all(workers.map((w) => stopWorker(w.child)));
    const perWorker = workers.map((w) => sentInLog(w.stderr.join('')));
    const sent = Number(states.find((s) => s.state === 'sent')?.n ?? 0);
    // From the start of the send (after the snapshot) to its last result, as the database's clock says.
    const sendSeconds = (Number(done.finished_at) - Number(done.started_at)) / 1000;
    result = {
      sent,
      states: Object.fromEntries(states.map((s) => [s.state, Number(s.n)])),
      rowsNotInOneAttempt: Number(notOnce.n),
      perWorker,
      perWorkerPeakRssMiB: workers.map((w) => w.peakRssMiB),
      perWorkerRssByQuarter: quarters(rssAlong, messages),
      sendCommandSeconds: round(sendCommandSeconds),
      sendSeconds: round(sendSeconds),
      commandToDoneSeconds: round(deliverSeconds),
      messagesPerSecond: Math.round(sent / sendSeconds),
    };
  } finally {
    await probe.close();
  }
  const loadAfter = loadavg().map(round);
  const ratio = round(result.messagesPerSecond / sourceRate);
  const everyRow = result.sent === messages && result.rowsNotInOneAttempt === 0 && result.perWorker.reduce((a, b) => a + b, 0) === messages;
  const at = new Date().toISOString();
  const machine = `Node ${process.version}, ${cpus()[0]?.model ?? 'unknown CPU'} (${cpus().length} cores, ${Math.round(totalmem() / 2 ** 30)} GB)`;
  const command = `npm run bench:million -- --messages ${messages} --workers ${workerCount} --pool ${pool} --reference ${referenceMessages}`;
  const json = {
    at,
    machine,
    command,
    messages,
    workers: workerCount,
    connections,
    messageBytes: raw.length,
    loadAverage: { before: loadBefore, after: loadAfter },
    seedSeconds: round(seedSeconds),
    smtpSource: { messages: referenceMessages, seconds: round(sourceSeconds), messagesPerSecond: Math.round(sourceRate) },
    matinale: result,
    ratioToSmtpSource: ratio,
    everyRowAccountedFor: everyRow,
  };
  mkdirSync(join(ROOT, 'bench/results'), { recursive: true });
  writeFileSync(join(ROOT, 'bench/results/million.json'), JSON.stringify(json, null, 2) + '\n');
  const md = [
    `# A million readers, ${workerCount} workers`,
    '',
    `One list send of ${messages.toLocaleString('en')} recipients on PostgreSQL (\`matinale send ID --now\`: the snapshot), delivered by ${workerCount} \`matinale worker\``,
    `processes (${pool} connections each) into Postfix's \`smtp-sink\` on loopback, beside Postfix's \`smtp-source\` sending the very message`,
    `(${raw.length.toLocaleString('en')} bytes) into the same sink through the same ${connections} connections. \`${command}\`.`,
    `${at}, ${machine}. The machine is shared: load average (1, 5, 15 min) ${loadBefore.join(', ')} before, ${loadAfter.join(', ')} after.`,
    '',
    '| case | messages | seconds | messages/s | × smtp-source |',
    '| --- | ---: | ---: | ---: | ---: |',
    `| smtp-source (${connections} connections) | ${referenceMessages} | ${round(sourceSeconds)} | ${Math.round(sourceRate)} | 1 |`,
    `| matinale, ${workerCount} workers × ${pool} connections | ${result.sent} | ${result.sendSeconds} | ${result.messagesPerSecond} | ${ratio} |`,
    '',
    `Every row accounted for: **${everyRow ? 'yes' : 'NO'}** — ledger states ${JSON.stringify(result.states)}, rows not sent in exactly one attempt: ${result.rowsNotInOneAttempt}.`,
    `Sent per worker (their logs): ${result.perWorker.join(', ')} (sum ${result.perWorker.reduce((a, b) => a + b, 0)}). Peak RSS per worker: ${result.perWorkerPeakRssMiB.join(', ')} MiB.`,
    `Highest RSS per worker (MiB) in each quarter of the send: ${result.perWorkerRssByQuarter.map((q, i) => `${i + 1}: ${q.map((m) => m ?? '–').join(', ')}`).join('; ')}.`,
    `\`send --now\` (start of Node, rendering, the snapshot of the ${messages.toLocaleString('en')} rows): ${result.sendCommandSeconds} s. Seconds above: from the send's start to its last result (the database's times); from the command to the send done: ${result.commandToDoneSeconds} s.`,
    '',
  ].join('\n');
  writeFileSync(join(ROOT, 'bench/results/million.md'), md + handWritten(join(ROOT, 'bench/results/million.md')));
  process.stdout.write(md);
}

async function startWorker(env: NodeJS.ProcessEnv): Promise<void> {
  const child = spawn(process.execPath, [join(ROOT, 'bin/matinale.js'), 'worker'], { env, cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
  const w = { child, stderr: [] as string[], peakRssMiB: 0 };
  workers.push(w);
  await new Promise<void>((resolve, reject) => {
    child.stderr!.setEncoding('utf8').on('data', (d: string) => {
      w.stderr.push(d);
      if (/^matinale worker \S+ on /m.test(w.stderr.join(''))) resolve();
    });
    child.once('exit', (code) => reject(new Error(`a worker exited (${code}): ${w.stderr.join('')}`)));
  });
}

async function stopWorker(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

/** What a worker's log says it sent: the sum of `sent` over its `delivery batch` lines. */
function sentInLog(stderr: string): number {
  let sent = 0;
  for (const line of stderr.split('\n')) {
    if (!line.startsWith('{') || !line.endsWith('}')) continue;
    const entry = JSON.parse(line) as { msg?: string; sent?: number };
    if (entry.msg === 'delivery batch') sent += entry.sent ?? 0;
  }
  return sent;
}

/** A process's peak resident memory (VmHWM), MiB; 0 once it is gone. */
function peakRss(pid: number): number {
  return statusMiB(pid, 'VmHWM');
}

/** A process's resident memory now (VmRSS), MiB; 0 once it is gone. */
function rss(pid: number): number {
  return statusMiB(pid, 'VmRSS');
}

function statusMiB(pid: number, field: string): number {
  try {
    const kb = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kb ? Math.round(Number(kb) / 1024) : 0;
  } catch {
    return 0;
  }
}

/** Per quarter of the rows (by rows sent when sampled), each worker's highest RSS seen in it; null when no look fell in it. */
function quarters(samples: Array<{ sent: number; rssMiB: number[] }>, total: number): Array<Array<number | null>> {
  return [1, 2, 3, 4].map((q) => {
    const inQuarter = samples.filter((s) => s.sent > ((q - 1) * total) / 4 && s.sent <= (q * total) / 4);
    return workers.map((_, i) => (inQuarter.length ? Math.max(...inQuarter.map((s) => s.rssMiB[i]!)) : null));
  });
}



/** What was written by hand below the marker in the results file (the analysis), kept when the measured part is written again. */
function handWritten(path: string): string {
  const marker = '<!-- written by hand below: kept by bench/million.ts -->';
  try {
    const previous = readFileSync(path, 'utf8');
    return previous.includes(marker) ? `\n${previous.slice(previous.indexOf(marker))}` : '';
  } catch {
    return '';
  }
}
