// Import benchmark: a generated CSV file of N rows (1% of them bad) imported
// into a publication through `importSubscribers` — the code behind `matinale
// subscribers import` — on SQLite and on PostgreSQL, beside PostgreSQL's own
// COPY of the same valid rows into a bare table and into a table with only a
// unique index on the address (`postgres-copy-unique`), in the same run. Issue
// #14's goal: the PostgreSQL import at ≥ 0.25 × the rows/s of
// `postgres-copy-unique`, peak RSS < 300 MiB.
//
//   npm run bench:import -- [--rows 1000000] [--repeat 3] [--cases postgres-import,postgres-copy] [--help]
//
// Each case runs in a child process of its own, so that its peak memory (max
// RSS) is its own. The file is written as a stream, never held in memory.
// Writes bench/results/import.json and bench/results/import.md (medians).
import { spawn } from 'node:child_process';
import { createReadStream, createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { once } from 'node:events';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { writeHeapSnapshot } from 'node:v8';
import pg from 'pg';
import { DATABASE_URL, createSchema, dropSchema } from './pg-schema.ts';
import { from as copyFrom } from 'pg-copy-streams';
import { ImportCsv } from '../src/audience/import-csv.ts';
import { openStore, type OpenOptions } from '../src/store/db.ts';
import { migrateToLatest } from '../src/store/migrate.ts';
import { upsertPublication } from '../src/store/publications.ts';
import { importSubscribers } from '../src/audience/import.ts';
import { AudienceKeys } from '../src/audience/keys.ts';
import { DEFAULT_POLICY } from '../src/audience/deps.ts';
import { systemClock } from '../src/clock.ts';
import { postgresCpuMs, watchPostgresCpu } from './postgres-cpu.ts';
import { CASES, round, writeResults, type CaseName, type CaseResult } from './import-report.ts';

const ROOT = fileURLToPath(new URL('../', import.meta.url));

const { values } = parseArgs({
  options: {
    rows: { type: 'string', default: '1000000' },
    repeat: { type: 'string', default: '3' },
    child: { type: 'string' },
    file: { type: 'string' },
    db: { type: 'string' },
    /** Comma-separated cases to run (default: all); results are written only when all ran. */
    cases: { type: 'string' },
    /** Samples process.memoryUsage() every 100 ms in each child and prints the largest values (diagnosis). */
    memory: { type: 'boolean', default: false },
    /** Writes a heap snapshot of each child when its RSS first passes this many MiB (diagnosis). */
    snapshot: { type: 'string' },
    help: { type: 'boolean', default: false },
  },
});
if (values.help) {
  process.stdout.write(`npm run bench:import -- [options]

Imports a generated CSV file on SQLite and PostgreSQL beside PostgreSQL's own COPY
of its valid rows (into a bare table, and into one with only a unique index on the
address: issue #14's reference), each case in a child process; writes
bench/results/import.json and import.md when every case ran.

  --rows N        rows of the file (default 1000000, 1% of them bad)
  --repeat N      rounds of every case; medians are reported (default 3)
  --cases A,B     only these cases (nothing written): ${CASES.join(', ')}
  --memory        sample each child's memory every 100 ms (diagnosis)
  --snapshot MiB  heap snapshot of a child when its RSS passes MiB (diagnosis)
`);
  process.exit(0);
}
const rows = Number(values.rows);
const repeat = Number(values.repeat);
const selected = values.cases ? (values.cases.split(',') as CaseName[]) : [...CASES];

// The machine may be shared: CPU time says what the work cost, whatever the
// wall time lost waiting for a core. PostgreSQL's share is read from /proc
// for the backends whose application_name is this child's.
const APP_NAME = `matinale-bench-${process.pid}`;
process.env.PGAPPNAME = APP_NAME;

/** Largest values of process.memoryUsage() seen so far, MiB; with what the process held before the case began. */
const memoryPeaks: Record<string, number> = {};
let memoryAtStart: Record<string, number> | undefined;

if (values.child) {
  if (values.memory || values.snapshot) sampleMemory();
  const result = await runCase(values.child as CaseName, values.file!, JSON.parse(values.db!) as OpenOptions);
  if (memoryAtStart) result.memory = { atStart: memoryAtStart, peaks: memoryPeaks };
  process.stdout.write(`${JSON.stringify(result)}\n`);
} else {
  await orchestrate();
}

// ---- the file ------------------------------------------------------------

/** Writes the CSV to import (1% bad rows, some quoted names) and the valid rows alone for COPY. */
async function generate(dir: string, total: number): Promise<{ all: string; valid: string; validRows: number }> {
  const all = join(dir, 'subscribers.csv');
  const valid = join(dir, 'valid.csv');
  const a = createWriteStream(all);
  const v = createWriteStream(valid);
  const write = async (s: typeof a, text: string) => {
    if (!s.write(text)) await once(s, 'drain');
  };
  await write(a, 'email,name,created_at\n');
  await write(v, 'email,name,created_at\n');
  let validRows = 0;
  let chunkA = '';
  let chunkV = '';
  for (let i = 0; i < total; i++) {
    const bad = i % 100 === 99;
    const email = bad ? `reader${i}.example${i % 97}.org` : `Reader.${i}@Example${i % 97}.org`;
    const name = i % 10 === 0 ? `"Lecteur ${i}, fidèle"` : `Lecteur ${i}`;
    const line = `${email},${name},2025-${String((i % 12) + 1).padStart(2, '0')}-01 06:00:00\n`;
    chunkA += line;
    if (!bad) {
      chunkV += line;
      validRows++;
    }
    if (chunkA.length > 1 << 16) {
      await write(a, chunkA);
      await write(v, chunkV);
      chunkA = chunkV = '';
    }
  }
  await write(a, chunkA);
  await write(v, chunkV);
  a.end();
  v.end();
  await Promise.all([once(a, 'close'), once(v, 'close')]);
  return { all, valid, validRows };
}

// ---- one case, in a child process -----------------------------------------

function sampleMemory(): void {
  const mib = (x: number) => round(x / 2 ** 20, 1);
  const take = () => {
    const m = process.memoryUsage();
    return { rss: mib(m.rss), heapTotal: mib(m.heapTotal), heapUsed: mib(m.heapUsed), external: mib(m.external), arrayBuffers: mib(m.arrayBuffers) };
  };
  memoryAtStart = take();
  let snapshotTaken = false;
  const limit = values.snapshot ? Number(values.snapshot) : Infinity;
  setInterval(() => {
    const m = take();
    for (const [k, v] of Object.entries(m)) memoryPeaks[k] = Math.max(memoryPeaks[k] ?? 0, v);
    if (!snapshotTaken && m.rss >= limit) {
      snapshotTaken = true;
      process.stderr.write(`heap snapshot at RSS ${m.rss} MiB: ${writeHeapSnapshot()}\n`);
    }
  }, 100).unref();
}

function nodeCpuMs(): number {
  const u = process.cpuUsage();
  return Math.round((u.user + u.system) / 1000);
}


function peakRssMiB(): number {
  // Linux reports maxRSS in KiB.
  return Math.round((process.resourceUsage().maxRSS / 1024) * 10) / 10;
}

async function runCase(name: CaseName, file: string, db: OpenOptions): Promise<CaseResult> {
  if (name === 'csv-read-only') {
    // The ceiling of the import's own reading: the file read as it does (64 KiB
    // at a time, decoded) through its reader (import-csv.ts), nothing done
    // with the records.
    const started = performance.now();
    let n = 0;
    const csv = new ImportCsv(',');
    for await (const text of createReadStream(file, { highWaterMark: 64 * 1024, encoding: 'utf8' })) {
      csv.write(text as string);
      n += csv.take().length;
    }
    csv.write('', true);
    n += csv.take().length;
    const ms = performance.now() - started;
    return { case: name, rows: n, imported: 0, rejected: 0, ms, rowsPerSecond: n / (ms / 1000), peakRssMiB: peakRssMiB(), nodeCpuMs: nodeCpuMs() };
  }
  if (name === 'postgres-copy' || name === 'postgres-copy-unique') {
    const client = new pg.Client({ connectionString: DATABASE_URL, options: `-c search_path=${db.schema}` });
    await client.connect();
    try {
      await client.query('create table bare_copy (email text, name text, created_at text)');
      // The least any list of subscribers needs: one address once. COPY into a
      // table with only that unique index says what the index alone costs.
      if (name === 'postgres-copy-unique') await client.query('create unique index bare_copy_email on bare_copy (email)');
      const started = performance.now();
      await pipeline(createReadStream(file), client.query(copyFrom('copy bare_copy from stdin with (format csv, header true)')));
      const ms = performance.now() - started;
      const n = Number((await client.query('select count(*) as n from bare_copy')).rows[0].n);
      const cpu = { nodeCpuMs: nodeCpuMs(), postgresCpuMs: await postgresCpuMs(DATABASE_URL, APP_NAME) };
      return { case: name, rows: n, imported: n, rejected: 0, ms, rowsPerSecond: n / (ms / 1000), peakRssMiB: peakRssMiB(), ...cpu };
    } finally {
      await client.end();
    }
  }
  if (name === 'postgres-sql-floor') {
    // The floor of the schema itself: COPY into a bare table, then three
    // set-based INSERT … SELECT into the real tables (their indexes, foreign
    // keys and the consent log), with no per-row work in Node at all.
    const client = new pg.Client({ connectionString: DATABASE_URL, options: `-c search_path=${db.schema}` });
    await client.connect();
    try {
      await client.query('create table bare_copy (email text, name text, created_at text)');
      const pub = Number((await client.query(`select id from publications where slug = 'bench'`)).rows[0].id);
      const started = performance.now();
      await pipeline(createReadStream(file), client.query(copyFrom('copy bare_copy from stdin with (format csv, header true)')));
      await client.query('begin');
      await client.query(`insert into subscribers (email, email_hash, name, created_at, updated_at)
        select lower(email), encode(sha256(lower(email)::bytea), 'base64'), name, 0, 0 from bare_copy on conflict do nothing`);
      await client.query(`insert into subscriptions (subscriber_id, publication_id, status, source, created_at, confirmed_at, updated_at)
        select id, $1, 'active', 'import', 0, 0, 0 from subscribers on conflict do nothing`, [pub]);
      await client.query(`insert into consent_log (subscriber_id, publication_id, action, method, details, at)
        select id, $1, 'import-confirmed', 'import', '{"consentSource":"bench"}', 0 from subscribers`, [pub]);
      await client.query('commit');
      const ms = performance.now() - started;
      const n = Number((await client.query('select count(*) as n from subscriptions')).rows[0].n);
      const cpu = { nodeCpuMs: nodeCpuMs(), postgresCpuMs: await postgresCpuMs(DATABASE_URL, APP_NAME) };
      return { case: name, rows: n, imported: n, rejected: 0, ms, rowsPerSecond: n / (ms / 1000), peakRssMiB: peakRssMiB(), ...cpu };
    } finally {
      await client.end();
    }
  }
  const store = openStore(db);
  try {
    const deps = {
      store,
      keys: new AudienceKeys('bench'.repeat(13)),
      mailer: { send: async () => {} },
      clock: systemClock,
      publicUrl: 'http://bench.test',
      policy: DEFAULT_POLICY,
    };
    const steps: Record<string, number> = {};
    const trace = (step: string, ms: number) => (steps[step] = (steps[step] ?? 0) + ms);
    // The import's indexes are built at the end by parallel workers, gone by then: watched as it runs.
    const postgresCpu = store.pgPool ? watchPostgresCpu(DATABASE_URL, APP_NAME) : undefined;
    const started = performance.now();
    const summary = await importSubscribers(deps, { file, publicationSlug: 'bench', confirmed: true, consentSource: 'bench', trace });
    const ms = performance.now() - started;
    return {
      case: name,
      rows: summary.rows,
      imported: summary.imported,
      rejected: summary.rejected,
      ms,
      rowsPerSecond: summary.rows / (ms / 1000),
      peakRssMiB: peakRssMiB(),
      steps: Object.fromEntries(Object.entries(steps).map(([k, v]) => [k, Math.round(v)])),
      nodeCpuMs: nodeCpuMs(),
      ...(postgresCpu ? { postgresCpuMs: await postgresCpu.stop() } : {}),
    };
  } finally {
    await store.close();
  }
}

// ---- the orchestra ---------------------------------------------------------


/** A fresh database for a case: migrated, with the publication to import into. */
async function freshDatabase(name: CaseName, dir: string): Promise<{ options: OpenOptions; drop(): Promise<void> }> {
  let options: OpenOptions;
  let drop: () => Promise<void>;
  if (name === 'csv-read-only') return { options: {}, drop: async () => {} };
  if (name === 'sqlite-import') {
    const path = join(dir, `bench-${randomBytes(4).toString('hex')}.sqlite`);
    options = { sqlitePath: path };
    drop = async () => {
      for (const suffix of ['', '-wal', '-shm']) rmSync(path + suffix, { force: true });
    };
  } else {
    const schema = await createSchema();
    options = { databaseUrl: DATABASE_URL, schema, maxConnections: 2 };
    drop = () => dropSchema(schema);
  }
  if (name !== 'postgres-copy' && name !== 'postgres-copy-unique') {
    const store = openStore(options);
    await migrateToLatest(store);
    await upsertPublication(
      store,
      {
        slug: 'bench',
        name: 'Bench',
        language: 'fr',
        timezone: 'Europe/Paris',
        schedule: '0 6 * * *',
        from: 'Bench <bench@example.org>',
        address: 'Paris',
        team: [{ name: 'Ada', email: 'ada@example.org', role: 'admin' }],
      },
      { actor: 'bench' },
    );
    await store.close();
  }
  return { options, drop };
}

function child(name: CaseName, file: string, options: OpenOptions): Promise<CaseResult> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [join(ROOT, 'bin/run-ts.js'), join(ROOT, 'bench/import.ts'), '--child', name, '--file', file, '--db', JSON.stringify(options),
      ...(values.memory ? ['--memory'] : []), ...(values.snapshot ? ['--snapshot', values.snapshot] : [])], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    p.stdout.on('data', (c: Buffer) => (out += c.toString()));
    p.on('error', reject);
    p.on('close', (code) => (code === 0 ? resolve(JSON.parse(out.trim().split('\n').at(-1)!) as CaseResult) : reject(new Error(`${name} exited with ${code}`))));
  });
}

async function orchestrate(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'matinale-bench-import-'));
  try {
    process.stderr.write(`generating ${rows} rows…\n`);
    const files = await generate(dir, rows);
    const bytes = statSync(files.all).size;
    const results: CaseResult[] = [];
    // The machine may be shared: its load says how far the timings can be trusted.
    const loadBefore = loadavg().map((x) => round(x, 1));
    for (let r = 0; r < repeat; r++) {
      for (const name of selected) {
        const db = await freshDatabase(name, dir);
        try {
          const result = await child(name, name === 'postgres-copy' || name === 'postgres-copy-unique' || name === 'postgres-sql-floor' ? files.valid : files.all, db.options);
          process.stderr.write(
            `run ${r + 1}/${repeat} ${name}: ${round(result.ms)} ms, ${round(result.rowsPerSecond)} rows/s, peak RSS ${result.peakRssMiB} MiB,` +
              ` CPU node ${result.nodeCpuMs} ms${result.postgresCpuMs === undefined ? '' : `, postgres ${result.postgresCpuMs} ms`}` +
              `${result.steps ? ` ${JSON.stringify(result.steps)}` : ''}` +
              `${result.memory ? ` memory at start ${JSON.stringify(result.memory.atStart)}, peaks ${JSON.stringify(result.memory.peaks)}` : ''}\n`,
          );
          results.push(result);
        } finally {
          await db.drop();
        }
      }
      // Results are written after every round, so that an interrupted run still leaves the rounds it finished.
      if (selected.length === CASES.length) writeResults(results, r + 1, files, bytes, loadBefore, { rows, repeat });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
