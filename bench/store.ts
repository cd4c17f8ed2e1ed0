// Store benchmark: insert and read back N subscribers (subscriber + active
// subscription + consent log row each, through the store's own import path:
// `importBatch` in one transaction per batch) on SQLite and on PostgreSQL, and
// PostgreSQL's own COPY of the same rows into a bare table as the reference.
//
//   node bin/run-ts.js bench/store.ts [--rows 1000000] [--repeat 3] [--batch 10000]
//
// Each case runs in a child process of its own, so that its peak memory (max
// RSS) is its own; rows are generated batch by batch, never held all at once.
// Writes bench/results/store.json and bench/results/store.md (medians of the runs).
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { DATABASE_URL, benchDatabase, createSchema, dropSchema } from './pg-schema.ts';
import { from as copyFrom, to as copyTo } from 'pg-copy-streams';
import { openStore, type Store } from '../src/store/db.ts';
import { migrateToLatest } from '../src/store/migrate.ts';
import { upsertPublication } from '../src/store/publications.ts';
import { importBatch, type ImportRow } from '../src/store/subscribers.ts';
import { subscriptionsPage } from '../src/store/subscriptions.ts';
import { refreshStatistics } from '../src/store/statistics.ts';
import { inTransaction } from '../src/store/transaction.ts';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const CASES = ['sqlite-store', 'postgres-store', 'postgres-copy'] as const;
type CaseName = (typeof CASES)[number];
const RUN_AT = Date.parse('2026-03-01T00:00:00Z');
const READ_PAGE = 10_000;

interface CaseResult {
  case: CaseName;
  rows: number;
  insertMs: number;
  readMs: number;
  /** Max RSS of the process before inserting, after inserting, after reading back (MiB). */
  rssSetupMiB: number;
  rssInsertMiB: number;
  rssReadMiB: number;
}

const { values } = parseArgs({
  options: {
    rows: { type: 'string', default: '1000000' },
    repeat: { type: 'string', default: '3' },
    batch: { type: 'string', default: '10000' },
    child: { type: 'string' },
    /** Rewrites store.md from store.json without running anything. */
    'report-only': { type: 'boolean', default: false },
  },
});
const rows = Number(values.rows);
const repeat = Number(values.repeat);
const batch = Number(values.batch);

if (values.child) {
  const result = await runCase(values.child as CaseName, rows, batch);
  process.stdout.write(`${JSON.stringify(result)}\n`);
} else if (values['report-only']) {
  const report = JSON.parse(readFileSync(join(ROOT, 'bench/results/store.json'), 'utf8'));
  writeFileSync(join(ROOT, 'bench/results/store.md'), markdown(report, report.medians, report.ratios));
} else {
  await orchestrate();
}

// ---- the rows ----------------------------------------------------------

/** Row i, the same in every case: deterministic, unique address and hash. */
function row(i: number): ImportRow {
  const mixed = (Math.imul(i + 1, 2654435761) >>> 0).toString(16).padStart(8, '0');
  const hash = `${mixed}${i.toString(16).padStart(8, '0')}`.repeat(4);
  return { email: `reader${i}@example${i % 100}.org`, emailHash: hash, name: `Reader ${i}`, createdAt: RUN_AT - i * 1000, consentSource: 'bench' };
}

function* batches(total: number, size: number): Generator<ImportRow[]> {
  for (let start = 0; start < total; start += size) {
    const out: ImportRow[] = [];
    for (let i = start; i < Math.min(total, start + size); i++) out.push(row(i));
    yield out;
  }
}

// ---- one case, in a child process ---------------------------------------

function maxRssMiB(): number {
  // Linux reports maxRSS in KiB.
  return Math.round((process.resourceUsage().maxRSS / 1024) * 10) / 10;
}

async function runCase(name: CaseName, total: number, size: number): Promise<CaseResult> {
  if (name === 'postgres-copy') return runCopy(total, size);
  const { options, drop } = await benchDatabase(name === 'sqlite-store' ? 'sqlite' : 'postgres');
  const store = openStore(options);
  try {
    await migrateToLatest(store);
    const publication = await upsertPublication(store, benchPublication(), { actor: 'bench' });
    const rssSetupMiB = maxRssMiB();

    let started = performance.now();
    for (const part of batches(total, size)) {
      await inTransaction(store, (tx) => importBatch(tx, part, { publicationId: publication.id, status: 'active', runAt: RUN_AT, method: 'import' }));
    }
    // Part of the import, timed with it: without it PostgreSQL's planner reads the pages in quadratic time.
    await refreshStatistics(store, ['subscribers', 'subscriptions', 'consent_log']);
    const insertMs = performance.now() - started;
    const rssInsertMiB = maxRssMiB();

    started = performance.now();
    const seen = await readBack(store, publication.id);
    const readMs = performance.now() - started;
    if (seen !== total) throw new Error(`read back ${seen} rows, expected ${total}`);
    return { case: name, rows: total, insertMs, readMs, rssSetupMiB, rssInsertMiB, rssReadMiB: maxRssMiB() };
  } finally {
    await store.close();
    await drop();
  }
}

/** Reads every subscription with its subscriber, page by page (keyset), touching each field. */
async function readBack(store: Store, publicationId: number): Promise<number> {
  let after = 0;
  let count = 0;
  let chars = 0;
  for (;;) {
    const page = await subscriptionsPage(store, publicationId, after, READ_PAGE);
    if (page.length === 0) break;
    for (const r of page) chars += (r.email?.length ?? 0) + (r.name?.length ?? 0) + r.status.length;
    count += page.length;
    after = page[page.length - 1]!.id;
  }
  if (chars === 0 && count > 0) throw new Error('rows came back empty');
  return count;
}

/** The reference: COPY the same rows into a bare table (no index, no constraint), and COPY them out. */
async function runCopy(total: number, size: number): Promise<CaseResult> {
  const schema = await createSchema();
  const client = new pg.Client({ connectionString: DATABASE_URL, options: `-c search_path=${schema}` });
  await client.connect();
  try {
    await client.query('create table bench_rows (email text, email_hash text, name text, created_at bigint, status text, source text)');
    const rssSetupMiB = maxRssMiB();

    let started = performance.now();
    const lines = (function* () {
      for (const part of batches(total, size)) {
        yield part.map((r) => `${r.email}\t${r.emailHash}\t${r.name}\t${r.createdAt}\tactive\timport\n`).join('');
      }
    })();
    await pipeline(Readable.from(lines), client.query(copyFrom('copy bench_rows from stdin')));
    const insertMs = performance.now() - started;
    const rssInsertMiB = maxRssMiB();

    started = performance.now();
    let count = 0;
    await pipeline(client.query(copyTo('copy bench_rows to stdout')), async function (source: AsyncIterable<Buffer>) {
      for await (const chunk of source) {
        for (let i = 0; i < chunk.length; i++) if (chunk[i] === 10) count++;
      }
    });
    const readMs = performance.now() - started;
    if (count !== total) throw new Error(`COPY read back ${count} rows, expected ${total}`);
    return { case: 'postgres-copy', rows: total, insertMs, readMs, rssSetupMiB, rssInsertMiB, rssReadMiB: maxRssMiB() };
  } finally {
    await client.end();
    await dropSchema(schema);
  }
}


function benchPublication() {
  return {
    slug: 'bench',
    name: 'Bench',
    language: 'en' as const,
    timezone: 'Europe/London',
    schedule: '0 6 * * 1-5',
    from: 'bench@example.org',
    address: '1 Bench Street',
    team: [{ name: 'Bench Editor', email: 'editor@example.org', role: 'editor' as const }],
  };
}

// ---- the orchestrator -----------------------------------------------------

function child(name: CaseName): Promise<CaseResult> {
  return new Promise((resolve, reject) => {
    const proc = spawn(
      process.execPath,
      [join(ROOT, 'bin/run-ts.js'), join(ROOT, 'bench/store.ts'), '--child', name, '--rows', String(rows), '--batch', String(batch)],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let out = '';
    proc.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    proc.on('error', reject);
    proc.on('close', (code) => {
      if (code !== 0) reject(new Error(`${name} exited with ${code}`));
      else resolve(JSON.parse(out.trim().split('\n').at(-1)!) as CaseResult);
    });
  });
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

async function orchestrate(): Promise<void> {
  const loadAtStart = loadavg().map((x) => Math.round(x * 100) / 100);
  const runs: CaseResult[] = [];
  for (let r = 1; r <= repeat; r++) {
    for (const name of CASES) {
      process.stderr.write(`run ${r}/${repeat}: ${name}, ${rows} rows… `);
      const result = await child(name);
      process.stderr.write(`insert ${(result.insertMs / 1000).toFixed(1)} s, read ${(result.readMs / 1000).toFixed(1)} s, peak ${result.rssReadMiB} MiB\n`);
      runs.push(result);
    }
  }
  const medians = Object.fromEntries(
    CASES.map((name) => {
      const mine = runs.filter((x) => x.case === name);
      return [
        name,
        {
          insertMs: Math.round(median(mine.map((x) => x.insertMs))),
          readMs: Math.round(median(mine.map((x) => x.readMs))),
          insertRowsPerSecond: Math.round(rows / (median(mine.map((x) => x.insertMs)) / 1000)),
          readRowsPerSecond: Math.round(rows / (median(mine.map((x) => x.readMs)) / 1000)),
          peakRssInsertMiB: median(mine.map((x) => x.rssInsertMiB)),
          peakRssReadMiB: median(mine.map((x) => x.rssReadMiB)),
          rssSetupMiB: median(mine.map((x) => x.rssSetupMiB)),
        },
      ];
    }),
  ) as Record<CaseName, { insertMs: number; readMs: number; insertRowsPerSecond: number; readRowsPerSecond: number; peakRssInsertMiB: number; peakRssReadMiB: number; rssSetupMiB: number }>;
  const ref = medians['postgres-copy'];
  const ratio = (a: number, b: number) => Math.round((a / b) * 100) / 100;
  const ratios = Object.fromEntries(
    (['sqlite-store', 'postgres-store'] as const).map((name) => [
      name,
      {
        insertTimeVsCopy: ratio(medians[name].insertMs, ref.insertMs),
        readTimeVsCopy: ratio(medians[name].readMs, ref.readMs),
        peakRssVsCopy: ratio(medians[name].peakRssReadMiB, ref.peakRssReadMiB),
      },
    ]),
  );
  const machine = { node: process.version, cpus: cpus().length, cpuModel: cpus()[0]?.model ?? '?', memoryGiB: Math.round(totalmem() / 2 ** 30), loadAverageAtStart: loadAtStart, loadAverageAtEnd: loadavg().map((x) => Math.round(x * 100) / 100) };
  const report = { date: new Date().toISOString(), rows, repeat, batch, readPage: READ_PAGE, machine, medians, ratios, runs };

  const dir = join(ROOT, 'bench/results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'store.json'), `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(join(dir, 'store.md'), markdown(report, medians, ratios));
  process.stderr.write(`wrote bench/results/store.json and bench/results/store.md\n`);
}

function markdown(
  report: { date: string; rows: number; repeat: number; batch: number; machine: Record<string, unknown> },
  medians: Record<CaseName, { insertMs: number; readMs: number; insertRowsPerSecond: number; readRowsPerSecond: number; peakRssInsertMiB: number; peakRssReadMiB: number; rssSetupMiB: number }>,
  ratios: Record<string, { insertTimeVsCopy: number; readTimeVsCopy: number; peakRssVsCopy: number }>,
): string {
  const n = (x: number) => x.toLocaleString('en-US');
  const s = (ms: number) => (ms / 1000).toFixed(2);
  const lines = [
    '# Store benchmark',
    '',
    `${n(report.rows)} subscribers inserted and read back, median of ${report.repeat} runs, ${report.date.slice(0, 10)}`,
    `(Node ${report.machine.node}, ${report.machine.cpus} CPUs ${report.machine.cpuModel}, ${report.machine.memoryGiB} GiB; a machine shared with`,
    `other work: load average ${(report.machine.loadAverageAtStart as number[])[0]} at the start, ${(report.machine.loadAverageAtEnd as number[])[0]} at the end, so single runs vary; see every run in store.json).`,
    '',
    `- **store**: the import path of the store (\`importBatch\`), ${n(report.batch)} rows per transaction: for each row a`,
    '  subscriber, an active subscription and a consent-log row, with the suppression check and every constraint and',
    `  index of the schema, then \`refreshStatistics\` (ANALYZE); read back through \`subscriptionsPage\``,
    `  (subscriptions joined to subscribers, keyset pages of ${n(READ_PAGE)}).`,
    '- **COPY** (reference): PostgreSQL\'s own `COPY … FROM STDIN` of the same rows into a bare table (no index, no',
    '  constraint, one table), and `COPY … TO STDOUT` to read them back: the floor of what the server can take.',
    '- Peak memory is the max RSS of the process that ran the case (each case in a process of its own); the RSS',
    '  before inserting is the baseline of Node, tsx and the drivers. Rows are generated batch by batch: no case holds',
    '  all N rows at once. The peak is reached while inserting (store.json has the peak after each phase).',
    '- The store writes three rows per subscriber and looks up suppressions and ids; COPY writes one row with no index:',
    '  the ratios say what the schema\'s guarantees cost against the fastest path the server has.',
    '',
    '| case | insert (s) | subscribers/s | read back (s) | rows/s | RSS before insert (MiB) | peak RSS (MiB) |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...CASES.map((c) => {
      const m = medians[c];
      return `| ${c} | ${s(m.insertMs)} | ${n(m.insertRowsPerSecond)} | ${s(m.readMs)} | ${n(m.readRowsPerSecond)} | ${m.rssSetupMiB} | ${m.peakRssReadMiB} |`;
    }),
    '',
    '| against COPY | insert time | read time | peak RSS |',
    '| --- | ---: | ---: | ---: |',
    ...Object.entries(ratios).map(([c, r]) => `| ${c} | ${r.insertTimeVsCopy}× | ${r.readTimeVsCopy}× | ${r.peakRssVsCopy}× |`),
    '',
    'Run again with `node bin/run-ts.js bench/store.ts [--rows N] [--repeat R] [--batch B]`; every run is in `store.json`.',
    '',
  ];
  return lines.join('\n');
}
