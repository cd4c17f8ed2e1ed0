// Snapshot benchmark: the start of a list send to N readers (1,000,000 by
// default) — `startSend` as the scheduler and `send --now` run it: the send
// marked running, its message stored, every mailable reader copied into the
// ledger in one INSERT … SELECT inside the database, the edition moved to
// sending — on PostgreSQL and SQLite. No row goes through Node.
//
//   node bin/run-ts.js bench/snapshot.ts [--readers 1000000] [--runs 3] [--backends postgres,sqlite]
//
// Each run starts a new send of a new edition over the same list (the
// previous ledger stays, as it would in a newsroom that sends daily).
// Writes bench/results/snapshot.json and .md (medians, load average before and after).
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { benchDatabase, DATABASE_URL } from './pg-schema.ts';
import { seedList } from './list-seed.ts';
import { openStore, type Store } from '../src/store/db.ts';
import { migrateToLatest } from '../src/store/migrate.ts';
import { insertSend } from '../src/store/sends.ts';
import { saveEdition } from '../src/store/editions.ts';
import { startSend } from '../src/delivery/send-start.ts';
import { postgresCpuMs } from './postgres-cpu.ts';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
// On a shared machine the wall time depends on the others' load; the CPU time
// of the PostgreSQL backends serving this process (read from /proc, as
// bench/import.ts does) says what the snapshot itself cost.
const APP_NAME = `matinale-bench-${process.pid}`;
process.env.PGAPPNAME = APP_NAME;

const { values } = parseArgs({
  options: { readers: { type: 'string', default: '1000000' }, runs: { type: 'string', default: '3' }, backends: { type: 'string', default: 'postgres,sqlite' } },
});
const readers = Number(values.readers);
const runs = Number(values.runs);
const backends = values.backends!.split(',') as Array<'postgres' | 'sqlite'>;

const round = (x: number) => Math.round(x * 100) / 100;
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

/** A scheduled list send of a new edition (a copy of the seeded one, on its own date). */
async function scheduledSend(store: Store, seeded: { publicationId: number; editionId: number }, run: number): Promise<number> {
  let editionId = seeded.editionId;
  if (run > 0) {
    const date = `2026-04-${String(run).padStart(2, '0')}`;
    const source = readFileSync(join(ROOT, 'examples/2026-03-02-tech-matin.md'), 'utf8').replace('date: 2026-03-02', `date: ${date}`);
    editionId = (await saveEdition(store, { publicationId: seeded.publicationId, date, source, author: 'bench' })).editionId;
  }
  await store.db.updateTable('editions').set({ status: 'scheduled' }).where('id', '=', editionId).execute();
  const now = Date.now();
  const send = await insertSend(store, { edition_id: editionId, publication_id: seeded.publicationId, kind: 'list', status: 'scheduled', scheduled_for: now, created_by: 'bench', created_at: now });
  return send.id;
}

async function runBackend(backend: 'postgres' | 'sqlite') {
  const { options, drop } = await benchDatabase(backend);
  const store = openStore(options);
  try {
    await migrateToLatest(store);
    const t0 = performance.now();
    const seeded = await seedList(store, readers);
    const seedMs = performance.now() - t0;
    const times: number[] = [];
    const cpu: number[] = [];
    const cpuNow = () => (backend === 'postgres' ? postgresCpuMs(DATABASE_URL, APP_NAME) : Promise.resolve(Math.round((process.cpuUsage().user + process.cpuUsage().system) / 1000)));
    for (let run = 0; run < runs; run++) {
      const sendId = await scheduledSend(store, seeded, run);
      const c0 = await cpuNow();
      const t = performance.now();
      const n = await startSend(store, sendId, 'template', Date.now());
      const ms = performance.now() - t;
      const cpuMs = (await cpuNow()) - c0;
      if (n !== seeded.mailable) throw new Error(`${backend}: the snapshot took ${n} readers, expected ${seeded.mailable}`);
      const ledger = await store.db.selectFrom('recipients').select((eb) => eb.fn.countAll<number>().as('n')).where('send_id', '=', sendId).executeTakeFirstOrThrow();
      if (Number(ledger.n) !== n) throw new Error(`${backend}: the ledger holds ${ledger.n} rows, the snapshot said ${n}`);
      process.stderr.write(`${backend} run ${run + 1}: ${n} recipients in ${Math.round(ms)} ms (CPU ${cpuMs} ms)\n`);
      times.push(ms);
      cpu.push(cpuMs);
    }
    return {
      backend,
      readers,
      recipients: seeded.mailable,
      seedSeconds: round(seedMs / 1000),
      runsMs: times.map(Math.round),
      medianSeconds: round(median(times) / 1000),
      runsCpuMs: cpu,
      medianCpuSeconds: round(median(cpu) / 1000),
    };
  } finally {
    await store.close();
    await drop();
  }
}

const loadBefore = loadavg().map(round);
const results = [];
for (const b of backends) results.push(await runBackend(b));
const loadAfter = loadavg().map(round);
const at = new Date().toISOString();
const machine = `Node ${process.version}, ${cpus()[0]?.model ?? 'unknown CPU'} (${cpus().length} cores, ${Math.round(totalmem() / 2 ** 30)} GB)`;
const command = `node bin/run-ts.js bench/snapshot.ts --readers ${readers} --runs ${runs} --backends ${backends.join(',')}`;
mkdirSync(join(ROOT, 'bench/results'), { recursive: true });
writeFileSync(join(ROOT, 'bench/results/snapshot.json'), JSON.stringify({ at, machine, command, loadAverage: { before: loadBefore, after: loadAfter }, goalSeconds: 10, results }, null, 2) + '\n');
const md = [
  `# Snapshot benchmark: the ledger of a send to ${readers.toLocaleString('en')} readers`,
  '',
  `\`startSend\` (src/delivery/send-start.ts) over a list of ${readers.toLocaleString('en')} active subscribers, 1 % of them suppressed: one transaction that marks the send running,`,
  'stores its message, copies every mailable reader into the ledger with one INSERT … SELECT in the database and moves the edition to sending.',
  `Each run is a new send over the same list (earlier ledgers stay). \`${command}\`; ${at}, ${machine}.`,
  `The machine is shared: load average (1, 5, 15 min) ${loadBefore.join(', ')} before, ${loadAfter.join(', ')} after.`,
  '',
  '| backend | recipients | median s | runs (ms) | median CPU s | goal |',
  '| --- | ---: | ---: | --- | ---: | --- |',
  ...results.map(
    (r) =>
      `| ${r.backend} | ${r.recipients} | ${r.medianSeconds} | ${r.runsMs.join(', ')} | ${r.medianCpuSeconds} | ${r.backend === 'postgres' ? `< 10 s: ${r.medianSeconds < 10 ? 'met' : 'not met'}` : 'for the record'} |`,
  ),
  '',
  'CPU: of the PostgreSQL backends serving the run (from /proc), or of the Node process for SQLite (which runs inside it).',
  '',
].join('\n');
writeFileSync(join(ROOT, 'bench/results/snapshot.md'), md + handWritten(join(ROOT, 'bench/results/snapshot.md')));
process.stdout.write(md);

/** What was written by hand below the marker in the results file (the analysis), kept when the measured part is written again. */
function handWritten(path: string): string {
  const marker = '<!-- written by hand below: kept by bench/snapshot.ts -->';
  try {
    const previous = readFileSync(path, 'utf8');
    return previous.includes(marker) ? `\n${previous.slice(previous.indexOf(marker))}` : '';
  } catch {
    return '';
  }
}
