// The report of the import benchmark (bench/import.ts): its cases, the medians
// and ratios of a run, bench/results/import.json and import.md (the notes
// written by hand below the marker are kept).
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../', import.meta.url));

export const CASES = ['sqlite-import', 'postgres-import', 'postgres-copy', 'postgres-copy-unique', 'postgres-sql-floor', 'csv-read-only'] as const;
export type CaseName = (typeof CASES)[number];

export interface CaseResult {
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

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

export function round(x: number, d = 0): number {
  return Math.round(x * 10 ** d) / 10 ** d;
}

/** Writes bench/results/import.json and .md from the runs so far (`done` rounds of the `repeat` asked for), keeping the notes written by hand. */
export function writeResults(
  results: CaseResult[],
  done: number,
  files: { validRows: number },
  bytes: number,
  loadBefore: number[],
  { rows, repeat }: { rows: number; repeat: number },
): void {
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
  const csv = get('csv-read-only');
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
    csvReadToCopyRatio: csvToCopy,
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
      ` which itself reaches ${floorToCopy} of COPY; the import's CSV reader alone (import-csv.ts), reading the file and doing nothing with its records, reaches ${csvToCopy} of COPY;` +
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
