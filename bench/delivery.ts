// Delivery benchmark, as a user runs it: `matinale send ID --now --wait` (the
// whole command as `npm install` leaves it, compiled in dist/, which the bench
// builds first; timed from spawn to exit, in a child process of its own)
// into Postfix's `smtp-sink` on loopback, beside Postfix's `smtp-source` (C)
// pushing the very message Matinale rendered into the same sink with as many
// connections. On SQLite and PostgreSQL, with and without DKIM (rsa-2048, one
// signature per recipient), and `openssl speed rsa2048` for one core's signs/s.
//
//   npm run bench:delivery -- [--messages 20000] [--runs 3] [--connections 16]
//                             [--cases smtp-source,sqlite,postgres,sqlite-dkim,postgres-dkim]
//
// The newsroom (the sample publication, its approved edition, the list) is
// seeded once per backend and copied for each run (a file copy on SQLite,
// CREATE DATABASE … TEMPLATE on PostgreSQL), so each run sends a fresh edition
// to the same list. Peak RSS is the command's VmHWM, read from
// /proc/PID/status while it runs, and its CPU per message from each thread's
// /proc/PID/task/TID/schedstat (all threads, and the event loop's alone;
// BENCH_THREADS=1 prints every thread's: the signing threads, V8's helpers).
// Writes bench/results/delivery.json and delivery.md (medians), with the load
// average before and after.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { openStore } from '../src/store/db.ts';
import { migrateToLatest } from '../src/store/migrate.ts';
import { seedNewsroom, PUBLIC, SECRET } from '../test/delivery/newsroom-fixture.ts';
import { DATABASE_URL } from './pg-schema.ts';
import { freePort, waitForPort } from './ports.ts';
import { ThreadCpu } from './process-cpu.ts';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const CASES = ['smtp-source', 'sqlite', 'postgres', 'sqlite-dkim', 'postgres-dkim'] as const;
type CaseName = (typeof CASES)[number];
/** The goals of issue 14, as ratios to smtp-source in the same run. */
const GOALS: Partial<Record<CaseName, number>> = { sqlite: 0.8, postgres: 0.7, 'sqlite-dkim': 0.7, 'postgres-dkim': 0.7 };

interface RunResult {
  case: CaseName;
  run: number;
  messages: number;
  seconds: number;
  messagesPerSecond: number;
  /** Of the matinale command (VmHWM); none for smtp-source. */
  peakRssMiB: number | null;
  /** The matinale command's CPU per message, all its threads and its event loop's alone (µs); none for smtp-source. */
  cpuUsPerMessage?: number;
  loopCpuUsPerMessage?: number;
}

const { values } = parseArgs({
  options: {
    messages: { type: 'string', default: '20000' },
    runs: { type: 'string', default: '3' },
    connections: { type: 'string', default: '16' },
    cases: { type: 'string', default: CASES.join(',') },
    /** Another name for the results (e.g. delivery-200k), so that a size run keeps the default one. */
    out: { type: 'string', default: 'delivery' },
  },
});
const messages = Number(values.messages);
const runs = Number(values.runs);
const connections = Number(values.connections);
const cases = values.cases!.split(',').map((c) => {
  if (!(CASES as readonly string[]).includes(c)) throw new Error(`--cases: unknown case ${c} (known: ${CASES.join(', ')})`);
  return c as CaseName;
});
if (!cases.includes('smtp-source')) throw new Error('--cases must include smtp-source, the reference');
if (!Number.isSafeInteger(messages) || messages < 1) throw new Error(`--messages must be a positive number (got ${values.messages})`);

const work = mkdtempSync(join(tmpdir(), 'matinale-bench-delivery-'));
const admin = new pg.Client({ connectionString: DATABASE_URL });
const databases: string[] = [];
let sink: ChildProcess | undefined;
let sinkMessages = 0;
try {
  await main();
} finally {
  sink?.kill();
  if (databases.length) {
    for (const db of databases.reverse()) await admin.query(`drop database if exists ${db}`).catch(() => {});
    await admin.end();
  }
  rmSync(work, { recursive: true, force: true });
}

async function main(): Promise<void> {
  // The command runs dist/, as after `npm install`: built from the sources measured.
  execFileSync(process.execPath, [join(ROOT, 'scripts/build.mjs')], { stdio: ['ignore', 'ignore', 'inherit'] });
  const loadBefore = loadavg().map(round);
  const port = await freePort();
  // -c counts; 1000: the listen backlog. The sink takes a core of its own.
  sink = spawn('smtp-sink', ['-c', '-u', process.env.USER || 'root', `127.0.0.1:${port}`, '1000'], { stdio: ['ignore', 'pipe', 'inherit'] });
  // Its counters (`sess=… quit=… mesg=N`, after each message): what the sink took, whoever sent it.
  sink.stdout!.on('data', (d: Buffer) => {
    const all = [...d.toString('latin1').matchAll(/mesg=(\d+)/g)];
    if (all.length) sinkMessages = Number(all[all.length - 1]![1]);
  });
  await waitForPort(port);

  const key = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const keyFile = join(work, 'dkim.pem');
  writeFileSync(keyFile, key, { mode: 0o600 });

  // The list: seeded once per backend, copied per run.
  const recipients = messages;
  const seeded: { sqlite?: { file: string; editionId: number }; postgres?: { db: string; editionId: number } } = {};
  if (cases.some((c) => c.startsWith('sqlite'))) {
    const dir = join(work, 'seed-sqlite');
    mkdirSync(dir);
    const store = openStore({ sqlitePath: join(dir, 'matinale.sqlite') });
    await migrateToLatest(store);
    const n = await seedList(store, recipients);
    await store.close();
    seeded.sqlite = { file: join(dir, 'matinale.sqlite'), editionId: n };
  }
  if (cases.some((c) => c.startsWith('postgres'))) {
    await admin.connect();
    const db = `matinale_bench_seed_${process.pid}`;
    await admin.query(`drop database if exists ${db}`);
    await admin.query(`create database ${db}`);
    databases.push(db);
    const store = openStore({ databaseUrl: urlOf(db) });
    await migrateToLatest(store);
    const n = await seedList(store, recipients);
    await store.close();
    seeded.postgres = { db, editionId: n };
  }

  // The very message Matinale renders for this list: one send to the local outbox, its one .eml.
  const message = await renderedMessage(seeded.sqlite ?? seeded.postgres!);
  const openssl = opensslSignsPerSecond();

  const results: RunResult[] = [];
  let runIndex = 0;
  for (let run = 1; run <= runs; run++) {
    for (const name of cases) {
      const before = sinkMessages;
      const r =
        name === 'smtp-source'
          ? await smtpSource(message.file, port, run)
          : await matinaleRun(name, run, ++runIndex, port, keyFile, seeded);
      // Every message of the run reached the sink (its counter is printed as each ends).
      for (let i = 0; i < 40 && sinkMessages - before < messages; i++) await new Promise((resolve) => setTimeout(resolve, 50));
      if (sinkMessages - before !== messages) throw new Error(`${name} run ${run}: smtp-sink took ${sinkMessages - before} messages, not ${messages}`);
      process.stderr.write(`${name} run ${run}: ${r.messages} messages in ${r.seconds.toFixed(2)} s = ${Math.round(r.messagesPerSecond)}/s${r.peakRssMiB === null ? '' : `, peak RSS ${r.peakRssMiB} MiB`}${cpuNote(r)}\n`);
      results.push(r);
    }
  }
  const loadAfter = loadavg().map(round);
  report({ results, loadBefore, loadAfter, openssl, messageBytes: message.bytes });
}

/** The publication, its approved edition and a list of which `recipients` are active and unsuppressed; returns the edition's id. */
async function seedList(store: ReturnType<typeof openStore>, recipients: number): Promise<number> {
  // The fixture leaves every 10th subscriber unsubscribed and one (the 7th) suppressed.
  let n = recipients;
  while (n - Math.floor(n / 10) - (n >= 7 ? 1 : 0) < recipients) n++;
  const newsroom = await seedNewsroom(store, n);
  if (newsroom.active.length !== recipients) throw new Error(`the seeded list has ${newsroom.active.length} readers, not ${recipients}`);
  return newsroom.editionId;
}

function urlOf(db: string): string {
  const u = new URL(DATABASE_URL);
  u.pathname = `/${db}`;
  return u.toString();
}

/** The environment of the matinale command for one run. */
function commandEnv(dataDir: string, extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: dataDir, PUBLIC_URL: PUBLIC, MATINALE_SECRET: SECRET, LOG_LEVEL: process.env.BENCH_LOG_LEVEL || 'warn', ...extra };
  for (const k of ['MATINALE_SOURCE', 'DATABASE_URL', 'SMTP_URL', 'DKIM_DOMAIN', 'DKIM_SELECTOR', 'DKIM_PRIVATE_KEY_FILE']) if (!(k in extra)) delete env[k];
  return env;
}

async function renderedMessage(seed: { file: string; editionId: number } | { db: string; editionId: number }): Promise<{ file: string; bytes: number }> {
  const dir = join(work, 'render');
  mkdirSync(dir);
  const extra: Record<string, string> = {};
  if ('file' in seed) copyFileSync(seed.file, join(dir, 'matinale.sqlite'));
  else {
    const db = `matinale_bench_render_${process.pid}`;
    await admin.query(`create database ${db} template ${seed.db}`);
    databases.push(db);
    extra.DATABASE_URL = urlOf(db);
  }
  // A test send to one address: the same template and splice as a list send's message.
  execFileSync(process.execPath, [join(ROOT, 'bin/matinale.js'), 'send', String(seed.editionId), '--test', 'reader00001@example.net', '--wait'], {
    env: commandEnv(dir, extra),
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const eml = readdirSync(join(dir, 'outbox')).find((f) => f.endsWith('.eml'));
  if (!eml) throw new Error('the rendering send left no message in the outbox');
  const raw = readFileSync(join(dir, 'outbox', eml));
  // smtp-source -F appends CRLF to each line it reads: give it LF lines.
  const file = join(work, 'message.txt');
  writeFileSync(file, raw.toString('latin1').replace(/\r\n/g, '\n'), 'latin1');
  return { file, bytes: raw.length };
}

/** smtp-source with the message, as many connections, as many messages; spawned, so that the sink's counters keep being read. */
async function smtpSource(file: string, port: number, run: number): Promise<RunResult> {
  const t0 = performance.now();
  const child = spawn('smtp-source', ['-d', '-s', String(connections), '-m', String(messages), '-F', file, '-f', 'bench@example.org', '-t', 'reader@example.net', `127.0.0.1:${port}`], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  const seconds = (performance.now() - t0) / 1000;
  if (code !== 0) throw new Error(`smtp-source exited with ${code}`);
  return { case: 'smtp-source', run, messages, seconds, messagesPerSecond: messages / seconds, peakRssMiB: null };
}

async function matinaleRun(name: CaseName, run: number, index: number, port: number, keyFile: string, seeded: { sqlite?: { file: string; editionId: number }; postgres?: { db: string; editionId: number } }): Promise<RunResult> {
  const dir = join(work, `run-${index}`);
  mkdirSync(dir);
  const extra: Record<string, string> = { SMTP_URL: `smtp://127.0.0.1:${port}?pool=${connections}` };
  let editionId: number;
  if (name.startsWith('sqlite')) {
    copyFileSync(seeded.sqlite!.file, join(dir, 'matinale.sqlite'));
    editionId = seeded.sqlite!.editionId;
  } else {
    const db = `matinale_bench_run_${process.pid}_${index}`;
    await admin.query(`create database ${db} template ${seeded.postgres!.db}`);
    databases.push(db);
    extra.DATABASE_URL = urlOf(db);
    editionId = seeded.postgres!.editionId;
  }
  if (name.endsWith('-dkim')) Object.assign(extra, { DKIM_DOMAIN: 'example.org', DKIM_SELECTOR: 'bench', DKIM_PRIVATE_KEY_FILE: keyFile });
  const t0 = performance.now();
  const child = spawn(process.execPath, [...(process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : []), join(ROOT, 'bin/matinale.js'), 'send', String(editionId), '--now', '--wait', '--json'], {
    env: commandEnv(dir, extra),
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  let peakKiB = 0;
  const cpu = new ThreadCpu(child.pid!);
  const poll = setInterval(() => {
    peakKiB = Math.max(peakKiB, vmHwmKiB(child.pid!));
    cpu.read();
  }, 50);
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  clearInterval(poll);
  const seconds = (performance.now() - t0) / 1000;
  if (code !== 0) throw new Error(`${name}: matinale send exited with ${code}: ${out}`);
  const final = JSON.parse(out.trim().split('\n').pop()!) as { counts: Record<string, number>; status: string };
  if (final.status !== 'done' || final.counts.sent !== messages) throw new Error(`${name}: the send is ${final.status} with ${final.counts.sent} of ${messages} sent`);
  if (extra.DATABASE_URL) {
    const db = databases.pop()!;
    await admin.query(`drop database if exists ${db}`);
  }
  rmSync(dir, { recursive: true, force: true });
  const { loopMs, allMs } = cpu.totals();
  if (process.env.BENCH_THREADS) process.stderr.write(`${name} CPU µs/message by thread: ${[...cpu.byThread()].filter(([, ms]) => ms > 100).map(([tid, ms]) => `${tid}: ${Math.round((ms * 1000) / messages)}`).join(', ')}\n`);
  return {
    case: name,
    run,
    messages,
    seconds,
    messagesPerSecond: messages / seconds,
    peakRssMiB: Math.round(peakKiB / 1024),
    cpuUsPerMessage: Math.round((allMs * 1000) / messages),
    loopCpuUsPerMessage: Math.round((loopMs * 1000) / messages),
  };
}

/** What a run of the command cost in CPU: every thread, and the event loop's share (the one that cannot be spread over cores). */
function cpuNote(r: RunResult): string {
  return r.cpuUsPerMessage === undefined ? '' : `, CPU ${r.cpuUsPerMessage} µs/message (event loop ${r.loopCpuUsPerMessage})`;
}

/** The peak resident set of a running process (VmHWM), 0 once it is gone. */
function vmHwmKiB(pid: number): number {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

/** One core's RSA-2048 signatures per second, as OpenSSL measures them. */
function opensslSignsPerSecond(): number {
  const out = execFileSync('openssl', ['speed', '-seconds', '3', 'rsa2048'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  // "rsa 2048 bits 0.000772s 0.000023s   1295.3  43478.3": sign/s is the first of the last two figures.
  const line = out.split('\n').find((l) => /^rsa\s+2048 bits/.test(l));
  const figures = line?.trim().split(/\s+/) ?? [];
  const signs = Number(figures[figures.length - 2]);
  if (!Number.isFinite(signs)) throw new Error(`could not read openssl speed's output:\n${out}`);
  return signs;
}

function report(o: { results: RunResult[]; loadBefore: number[]; loadAfter: number[]; openssl: number; messageBytes: number }): void {
  const summary = cases.map((name) => {
    const mine = o.results.filter((r) => r.case === name);
    const rss = mine.map((r) => r.peakRssMiB).filter((x): x is number => x !== null);
    return {
      case: name,
      messages,
      runs: mine.length,
      medianSeconds: round(median(mine.map((r) => r.seconds))),
      medianMessagesPerSecond: Math.round(median(mine.map((r) => r.messagesPerSecond))),
      peakRssMiB: rss.length ? Math.max(...rss) : null,
      medianPeakRssMiB: rss.length ? Math.round(median(rss)) : null,
    };
  });
  const base = summary.find((s) => s.case === 'smtp-source')!.medianMessagesPerSecond;
  const rows = summary.map((s) => ({
    ...s,
    ratioToSmtpSource: round(s.medianMessagesPerSecond / base),
    goal: GOALS[s.case] ?? null,
    ...(s.case.endsWith('-dkim') ? { ratioToOpensslOneCore: round(s.medianMessagesPerSecond / o.openssl) } : {}),
  }));
  const machine = `Node ${process.version}, ${cpus()[0]?.model ?? 'unknown CPU'} (${cpus().length} cores, ${Math.round(totalmem() / 2 ** 30)} GB)`;
  const at = new Date().toISOString();
  const command = `npm run bench:delivery -- --messages ${messages} --runs ${runs} --connections ${connections} --cases ${cases.join(',')}`;
  mkdirSync(join(ROOT, 'bench/results'), { recursive: true });
  writeFileSync(
    join(ROOT, `bench/results/${values.out}.json`),
    JSON.stringify({ at, machine, command, connections, messageBytes: o.messageBytes, opensslRsa2048SignsPerSecond: o.openssl, loadAverage: { before: o.loadBefore, after: o.loadAfter }, summary: rows, runs: o.results }, null, 2) + '\n',
  );
  const label: Record<CaseName, string> = {
    'smtp-source': 'smtp-source',
    sqlite: 'matinale, SQLite',
    postgres: 'matinale, PostgreSQL',
    'sqlite-dkim': 'matinale, SQLite, DKIM rsa-2048',
    'postgres-dkim': 'matinale, PostgreSQL, DKIM rsa-2048',
  };
  const md = [
    '# Delivery benchmark',
    '',
    `\`matinale send ID --now --wait\` as a user runs it (a child process, timed from spawn to exit: start, rendering, the snapshot of ${messages} recipients,`,
    `delivery, the last result recorded), through ${connections} connections into Postfix's \`smtp-sink\` on loopback, beside Postfix's \`smtp-source\``,
    `pushing the very message Matinale rendered (${o.messageBytes} bytes) into the same sink over ${connections} connections. Medians of ${runs} runs.`,
    `\`${command}\`; ${at}, ${machine}.`,
    `\`openssl speed -seconds 3 rsa2048\`: ${Math.round(o.openssl)} signs/s on one core.`,
    `Load average (1, 5, 15 min) ${o.loadBefore.join(', ')} before, ${o.loadAfter.join(', ')} after (the machine is shared: the ratio, measured in the same run, is what counts).`,
    '',
    '| case | messages/s | × smtp-source | goal | peak RSS |',
    '| --- | ---: | ---: | ---: | ---: |',
    ...rows.map(
      (s) =>
        `| ${label[s.case]} | ${s.medianMessagesPerSecond.toLocaleString('en')} | ${s.ratioToSmtpSource}${s.ratioToOpensslOneCore !== undefined ? ` (${s.ratioToOpensslOneCore} × openssl's one core)` : ''} | ${s.goal === null ? '–' : `≥ ${s.goal}${s.ratioToSmtpSource >= s.goal ? ' met' : ' **not met**'}`} | ${s.peakRssMiB === null ? '–' : `${s.peakRssMiB} MiB`} |`,
    ),
    '',
    'Each run, in the order run:',
    '',
    ...o.results.map((r) => `- ${r.case} run ${r.run}: ${Math.round(r.messagesPerSecond)}/s, ${round(r.seconds)} s${r.peakRssMiB === null ? '' : `, peak RSS ${r.peakRssMiB} MiB`}${cpuNote(r)}`),
    '',
  ].join('\n');
  writeFileSync(join(ROOT, `bench/results/${values.out}.md`), md);
  process.stdout.write(md);
}



function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

function round(x: number): number {
  return Math.round(x * 100) / 100;
}
