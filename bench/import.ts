// Import benchmark: a generated CSV file of N rows (1% of them bad) imported
// into a publication through `importSubscribers` — the code behind `matinale
// subscribers import` — on SQLite and on PostgreSQL, beside PostgreSQL's own
// COPY of the same valid rows into a bare table and into a table with only a
// unique index on the address (`postgres-copy-unique`), in the same run. Issue
// #14's goal: the PostgreSQL import at ≥ 0.25 × the rows/s of
// `postgres-copy-unique`, peak RSS < 300 MiB.
//
//   node bin/run-ts.js bench/import.ts [--rows 1000000] [--repeat 3] [--cases postgres-import,postgres-copy]
//
// Each case runs in a child process of its own, so that its peak memory (max
// RSS) is its own. The file is written as a stream, never held in memory.
// Writes bench/results/import.json and bench/results/import.md (medians).
import { spawn } from 'node:child_process';
import { createReadStream, createWriteStream, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { writeHeapSnapshot } from 'node:v8';
import pg from 'pg';
import { DATABASE_URL, createSchema, dropSchema } from './pg-schema.ts';
import { from as copyFrom } from 'pg-copy-streams';
import { parse } from 'csv-parse';
import { openStore, type OpenOptions } from '../src/store/db.ts';
import { migrateToLatest } from '../src/store/migrate.ts';
import { upsertPublication } from '../src/store/publications.ts';
import { importSubscribers } from '../src/audience/import.ts';
import { AudienceKeys } from '../src/audience/keys.ts';
import { DEFAULT_POLICY } from '../src/audience/deps.ts';
import { systemClock } from '../src/clock.ts';
import { postgresCpuMs } from './postgres-cpu.ts';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const CASES = ['sqlite-import', 'postgres-import', 'postgres-copy', 'postgres-copy-unique', 'postgres-sql-floor', 'csv-parse-only'] as const;
type CaseName = (typeof CASES)[number];

interface CaseResult {
  case: CaseName;
  rows: number;
  imported: number;
  rejected: number;
  ms: number;
  rowsPerSecond: number;
  /** Max RSS of the child process (MiB). */
  peakRssMiB: number;
  /** Import cases: total ms per database step (importSubscribers' trace), and the Node side's wait for the database. */
  steps?: Record<string, number>;
  /** CPU time of the Node process (user + system), ms. */
  nodeCpuMs: number;
  /** CPU time of the PostgreSQL backends that served the case, ms (PostgreSQL cases). */
  postgresCpuMs?: number;
  /** With --memory: process.memoryUsage() (MiB) when the child had loaded its modules, and the largest values seen during the case. */
  memory?: { atStart: Record<string, number>; peaks: Record<string, number> };
}

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
  },
});
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
  if (name === 'csv-parse-only') {
    // The ceiling of any import that reads the file in Node: csv-parse with
    // the import's options, and nothing done with the records.
    const started = performance.now();
    let n = 0;
    const parser = createReadStream(file, { highWaterMark: 256 * 1024 }).pipe(
      parse({ bom: true, relax_column_count: true, skip_empty_lines: true, skip_records_with_error: true, relax_quotes: true, info: true, from_line: 2 }),
    );
    for await (const record of parser as AsyncIterable<unknown>) if (record) n++;
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
      ...(store.pgPool ? { postgresCpuMs: await postgresCpuMs(DATABASE_URL, APP_NAME) } : {}),
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
  if (name === 'csv-parse-only') return { options: {}, drop: async () => {} };
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

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

function round(x: number, d = 0): number {
  return Math.round(x * 10 ** d) / 10 ** d;
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
      if (selected.length === CASES.length) writeResults(results, r + 1, files, bytes, loadBefore);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function writeResults(results: CaseResult[], done: number, files: { validRows: number }, bytes: number, loadBefore: number[]): void {
  const summary = CASES.map((name) => {
    const runs = results.filter((x) => x.case === name);
    const stepNames = [...new Set(runs.flatMap((x) => Object.keys(x.steps ?? {})))];
    const pgCpu = runs.map((x) => x.postgresCpuMs).filter((x): x is number => x !== undefined);
    return {
      case: name,
      rows: runs[0]!.rows,
      imported: runs[0]!.imported,
      rejected: runs[0]!.rejected,
      medianMs: round(median(runs.map((x) => x.ms))),
      medianRowsPerSecond: round(median(runs.map((x) => x.rowsPerSecond))),
      peakRssMiB: Math.max(...runs.map((x) => x.peakRssMiB)),
      medianNodeCpuMs: round(median(runs.map((x) => x.nodeCpuMs))),
      ...(pgCpu.length ? { medianPostgresCpuMs: round(median(pgCpu)) } : {}),
      ...(stepNames.length ? { medianStepsMs: Object.fromEntries(stepNames.map((k) => [k, round(median(runs.map((x) => x.steps?.[k] ?? 0)))])) } : {}),
    };
  });
  const get = (name: CaseName) => summary.find((x) => x.case === name)!;
  const copy = get('postgres-copy');
  const pgImport = get('postgres-import');
  const floor = get('postgres-sql-floor');
  const csv = get('csv-parse-only');
  const copyUnique = get('postgres-copy-unique');
  const copyUniqueToCopy = round(copyUnique.medianRowsPerSecond / copy.medianRowsPerSecond, 3);
  const ratio = round(pgImport.medianRowsPerSecond / copy.medianRowsPerSecond, 3);
  // Issue #14's goal: the import against COPY into a table that keeps addresses unique, same run.
  const uniqueRatio = round(pgImport.medianRowsPerSecond / copyUnique.medianRowsPerSecond, 3);
  const cpuRatio = round(copyUnique.medianPostgresCpuMs! / pgImport.medianPostgresCpuMs!, 3);
  const floorRatio = round(pgImport.medianRowsPerSecond / floor.medianRowsPerSecond, 3);
  const floorToCopy = round(floor.medianRowsPerSecond / copy.medianRowsPerSecond, 3);
  const csvToCopy = round(csv.medianRowsPerSecond / copy.medianRowsPerSecond, 3);
  const maxRss = Math.max(...summary.filter((x) => x.case.endsWith('-import')).map((x) => x.peakRssMiB));
  const environment = {
    date: new Date().toISOString(),
    node: process.version,
    cpu: cpus()[0]?.model,
    cores: cpus().length,
    memoryGiB: round(totalmem() / 2 ** 30),
    loadAverageBefore: loadBefore,
    loadAverageAfter: loadavg().map((x) => round(x, 1)),
  };
  const json = {
    rows,
    fileBytes: bytes,
    validRows: files.validRows,
    repeat: done,
    environment,
    cases: summary,
    runs: results,
    postgresImportToCopyRatio: ratio,
    postgresImportToCopyUniqueRatio: uniqueRatio,
    copyUniqueToImportPostgresCpuRatio: cpuRatio,
    postgresImportToSqlFloorRatio: floorRatio,
    sqlFloorToCopyRatio: floorToCopy,
    csvParseToCopyRatio: csvToCopy,
    copyUniqueToCopyRatio: copyUniqueToCopy,
    goals: { importToCopyUniqueAtLeast: 0.25, peakRssUnderMiB: 300 },
  };
  mkdirSync(join(ROOT, 'bench/results'), { recursive: true });
  writeFileSync(join(ROOT, 'bench/results/import.json'), `${JSON.stringify(json, null, 2)}\n`);
  const steps = pgImport.medianStepsMs ?? {};
  const sec = (ms: number | undefined) => `${round((ms ?? 0) / 1000, 1)} s`;
  const cpu = (x: (typeof summary)[number]) => `${sec(x.medianNodeCpuMs)}${'medianPostgresCpuMs' in x ? ` / ${sec(x.medianPostgresCpuMs)}` : ''}`;
  const mdPath = join(ROOT, 'bench/results/import.md');
  // The analysis written by hand below the marker (EXPLAIN ANALYZE runs, the
  // ceiling) is kept when the measured part above it is written again.
  const marker = '<!-- written by hand below: kept by bench/import.ts -->';
  let analysis = '';
  try {
    const previous = readFileSync(mdPath, 'utf8');
    if (previous.includes(marker)) analysis = previous.slice(previous.indexOf(marker));
  } catch {
    // first run
  }
  const md = [
    '# Import benchmark',
    '',
    `A generated CSV of ${rows} rows (${round(bytes / 2 ** 20, 1)} MiB, ${rows - files.validRows} bad rows), imported with \`--confirmed\`` +
      ` through \`importSubscribers\` (subscriber + subscription + consent log row per address); PostgreSQL's COPY loads the ${files.validRows} valid rows into a bare table.`,
    `Medians of ${done} run${done === 1 ? '' : 's'}${done < repeat ? ` (of ${repeat} asked for)` : ''}, each case in its own process; \`node bin/run-ts.js bench/import.ts --rows ${rows} --repeat ${repeat}\`.`,
    `${environment.date}, Node ${environment.node}, ${environment.cpu} (${environment.cores} cores, ${environment.memoryGiB} GB).`,
    `Load average of the machine (1, 5, 15 min) before the run: ${environment.loadAverageBefore.join(', ')}; after: ${environment.loadAverageAfter.join(', ')} (${environment.cores} cores, shared).`,
    '',
    '| case | rows | median ms | rows/s | peak RSS MiB | CPU Node / PostgreSQL |',
    '| --- | ---: | ---: | ---: | ---: | ---: |',
    ...summary.map((x) => `| ${x.case} | ${x.rows} | ${x.medianMs} | ${x.medianRowsPerSecond} | ${x.peakRssMiB} | ${cpu(x)} |`),
    '',
    `PostgreSQL import / COPY into a table with only the unique address index (\`postgres-copy-unique\`): **${uniqueRatio}**` +
      ` (goal ≥ 0.25, issue #14: ${uniqueRatio >= 0.25 ? 'met' : `not met: the import would have to be ${round(0.25 / uniqueRatio, 1)} times faster`});` +
      ` in PostgreSQL CPU, COPY-unique / import: ${cpuRatio}; import / bare COPY: ${ratio}.` +
      ` Peak RSS of an import: **${maxRss} MiB** (goal < 300: ${maxRss < 300 ? 'met' : 'not met'}).`,
    `The import reaches ${floorRatio} of \`postgres-sql-floor\` (COPY of the valid rows, then three plain \`INSERT … SELECT\` into the real tables: what the schema costs with no work in Node),` +
      ` which itself reaches ${floorToCopy} of COPY; csv-parse alone, reading the file and doing nothing with its records, reaches ${csvToCopy} of COPY;` +
      ` PostgreSQL's own COPY into a table with nothing but a unique index on the address (\`postgres-copy-unique\`) reaches ${copyUniqueToCopy} of COPY.`,
    '',
    `Import on PostgreSQL, medians of the time spent per step (the database steps run while Node parses the next chunk): ` +
      `${Object.entries(steps).filter(([k]) => k !== 'wait-for-database').map(([k, v]) => `${k} ${sec(v)}`).join(', ')};` +
      ` Node waited ${sec(steps['wait-for-database'])} for the database. CPU: Node ${sec(pgImport.medianNodeCpuMs)} (about ${sec(copy.medianNodeCpuMs)} of it is starting Node and tsx, as the COPY case shows),` +
      ` PostgreSQL ${sec(pgImport.medianPostgresCpuMs)}.`,
    '',
    analysis || marker,
    '',
  ].join('\n');
  writeFileSync(mdPath, md.endsWith('\n\n') ? md.slice(0, -1) : md);
  process.stdout.write(md);
}
