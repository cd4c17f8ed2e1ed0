// Start benchmark (issue 14, « lean start »): how long the `matinale` command
// takes to start, and how much memory, beside bare Node (`node -e 0`) measured
// in the same run, alternately, so that a busy machine slows every case alike.
//
//   npm run bench:start [-- --runs 7]        (node bin/run-ts.js bench/start.ts)
//
// Cases, each a process of its own run from the built dist/ (built first when
// it is older than src/, scripts/dist-fresh.mjs):
//   node -e 0            the floor: Node itself
//   matinale --help      the command table, no command module loaded
//   matinale lint FILE   a real command: parse, typography, spelling of a sample edition
//   matinale worker      until it prints `matinale worker … on …` (ready: migrated,
//                        claiming), SIGTERM then; on a SQLite database migrated by a
//                        first run that is not counted
//   --help from src/     MATINALE_SOURCE=1, through tsx: what a developer waits
// Wall time from spawn to exit (to ready for the worker), CPU time and peak
// RSS (the kernel's maximum resident set), as /usr/bin/time -f '%M %U %S' reports. A last, untimed run of
// each case under test/helpers/module-trace.mjs counts the files of code it
// loads (ES modules and CommonJS files; bin/matinale.js is one).
// Writes bench/results/start.json and bench/results/start.md (medians).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { staleDistFile, ROOT } from '../scripts/dist-fresh.mjs';

const TIME = '/usr/bin/time';
const SAMPLE = 'examples/2026-03-02-tech-matin.md';
const GOALS = { helpSeconds: 0.3, helpMegabytes: 80, workerReadySeconds: 1 };

const { values } = parseArgs({ options: { runs: { type: 'string', default: '7' } } });
const runs = Number(values.runs);
if (!Number.isInteger(runs) || runs < 1) throw new Error(`--runs: a whole number of at least 1, not « ${values.runs} »`);
if (!existsSync(TIME)) throw new Error(`${TIME} is missing (Debian package « time »; .ci/run installs it)`);

const stale = staleDistFile();
if (stale) {
  console.error(`dist/ is older than ${stale}: building it first`);
  const built = spawnSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'inherit' });
  if (built.status !== 0) throw new Error('npm run build failed');
}

interface Case {
  name: string;
  args: string[];
  env?: Record<string, string>;
  /** A line on stderr that says the process is ready; it is then sent SIGTERM. */
  readyOn?: RegExp;
}

const dataDir = mkdtempSync(join(tmpdir(), 'matinale-bench-start-'));
const baseEnv: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: dataDir, PUBLIC_URL: 'https://news.example.org' };
delete baseEnv.MATINALE_SOURCE;
delete baseEnv.DATABASE_URL;
delete baseEnv.SMTP_URL;

const CASES: Case[] = [
  { name: 'node -e 0', args: ['-e', '0'] },
  { name: 'matinale --help', args: ['bin/matinale.js', '--help'] },
  { name: `matinale lint ${SAMPLE}`, args: ['bin/matinale.js', 'lint', SAMPLE] },
  { name: 'matinale worker (ready)', args: ['bin/matinale.js', 'worker'], readyOn: /^matinale worker \S+ on /m },
  { name: 'matinale --help, src/ through tsx', args: ['bin/matinale.js', '--help'], env: { MATINALE_SOURCE: '1' } },
];

interface Run {
  seconds: number;
  /** User and system CPU time of the process: the work done, whatever the wait for a core. */
  cpuSeconds: number;
  megabytes: number;
}

/** One run of a case under /usr/bin/time: seconds to exit (or to ready), CPU seconds and peak RSS. */
function runOnce(c: Case, extraArgs: string[] = [], extraEnv: Record<string, string> = {}): Promise<Run> {
  const out = join(dataDir, 'time.txt');
  rmSync(out, { force: true });
  return new Promise((resolve, reject) => {
    const started = performance.now();
    let readyAt: number | undefined;
    const child = spawn(TIME, ['-f', '%M %U %S', '-o', out, process.execPath, ...extraArgs, ...c.args], {
      cwd: ROOT,
      env: { ...baseEnv, ...c.env, ...extraEnv },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      if (c.readyOn && readyAt === undefined && c.readyOn.test(stderr)) {
        readyAt = performance.now();
        // /usr/bin/time's child is Node: stop it, and time reports once it has exited.
        const node = readFileSync(`/proc/${child.pid}/task/${child.pid}/children`, 'utf8').trim().split(/\s+/)[0];
        if (node) process.kill(Number(node), 'SIGTERM');
      }
    });
    child.on('error', reject);
    child.on('exit', (code) => {
      const ended = performance.now();
      if (code !== 0) return reject(new Error(`${c.name} exited ${code}: ${stderr.slice(-500)}`));
      if (c.readyOn && readyAt === undefined) return reject(new Error(`${c.name} never said it was ready: ${stderr.slice(-500)}`));
      const [kb, user, system] = readFileSync(out, 'utf8').trim().split('\n').pop()!.split(' ').map(Number);
      resolve({ seconds: ((readyAt ?? ended) - started) / 1000, cpuSeconds: user! + system!, megabytes: kb! / 1024 });
    });
  });
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

const loadBefore = loadavg();
// The first worker migrates the new database; it is not counted.
await runOnce(CASES[3]!);
const perCase = new Map<string, Run[]>(CASES.map((c) => [c.name, []]));
for (let round = 0; round < runs; round++) {
  for (const c of CASES) perCase.get(c.name)!.push(await runOnce(c));
  process.stderr.write(`round ${round + 1}/${runs} done\n`);
}

// Untimed: the files of code each case loads (the hook slows a start, so not in the figures above).
const modules = new Map<string, number>();
for (const c of CASES) {
  const trace = join(dataDir, 'modules.txt');
  rmSync(trace, { force: true });
  writeFileSync(trace, '');
  await runOnce(c, ['--import', join(ROOT, 'test/helpers/module-trace.mjs')], { MODULE_TRACE: trace });
  modules.set(c.name, new Set(readFileSync(trace, 'utf8').split('\n').filter((l) => l.startsWith('file:'))).size);
}
const loadAfter = loadavg();
rmSync(dataDir, { recursive: true, force: true });

const node = perCase.get(CASES[0]!.name)!;
const nodeSeconds = median(node.map((r) => r.seconds));
const summary = CASES.map((c) => {
  const rs = perCase.get(c.name)!;
  const seconds = median(rs.map((r) => r.seconds));
  const megabytes = median(rs.map((r) => r.megabytes));
  const cpuSeconds = median(rs.map((r) => r.cpuSeconds));
  return {
    case: c.name,
    seconds: Number(seconds.toFixed(3)),
    timesNode: Number((seconds / nodeSeconds).toFixed(2)),
    cpuSeconds: Number(cpuSeconds.toFixed(2)),
    peakRssMegabytes: Number(megabytes.toFixed(1)),
    modulesLoaded: modules.get(c.name) ?? 0,
    runs: rs.map((r) => ({ seconds: Number(r.seconds.toFixed(3)), cpuSeconds: Number(r.cpuSeconds.toFixed(2)), peakRssMegabytes: Number(r.megabytes.toFixed(1)) })),
  };
});
const byName = (name: string) => summary.find((s) => s.case === name)!;
const help = byName('matinale --help');
const worker = byName('matinale worker (ready)');
// The goals are wall times; the CPU seconds say whether a miss is the start's work or the wait for a core.
const goals = [
  {
    goal: `matinale --help under ${GOALS.helpSeconds} s`,
    value: `${help.seconds} s (CPU ${help.cpuSeconds} s)`,
    met: help.seconds < GOALS.helpSeconds,
    metOnCpu: help.cpuSeconds < GOALS.helpSeconds,
  },
  {
    goal: `matinale --help under ${GOALS.helpMegabytes} MB`,
    value: `${help.peakRssMegabytes} MB`,
    met: help.peakRssMegabytes < GOALS.helpMegabytes,
    metOnCpu: help.peakRssMegabytes < GOALS.helpMegabytes,
  },
  {
    goal: `matinale worker ready under ${GOALS.workerReadySeconds} s`,
    value: `${worker.seconds} s (CPU ${worker.cpuSeconds} s)`,
    met: worker.seconds < GOALS.workerReadySeconds,
    metOnCpu: worker.cpuSeconds < GOALS.workerReadySeconds,
  },
];

const busy = Math.max(loadBefore[0]!, loadAfter[0]!) > cpus().length;
const machine = `Node ${process.version}, ${cpus()[0]?.model.split(' ').slice(0, 2).join(' ')} (${cpus().length} cores, ${Math.round(totalmem() / 2 ** 30)} GB)`;
const command = `npm run bench:start -- --runs ${runs}`;
const round2 = (xs: number[]) => xs.map((x) => x.toFixed(2)).join(', ');
const at = new Date().toISOString();
writeFileSync(
  join(ROOT, 'bench/results/start.json'),
  `${JSON.stringify({ at, machine, command, loadAverage: { before: loadBefore, after: loadAfter }, goals, summary }, null, 2)}\n`,
);
const md = [
  '# Start benchmark',
  '',
  'Each case a process of its own, from the built `dist/`, run alternately with the others in every round; wall time from',
  'spawn to exit (for the worker: to its `matinale worker … on …` line, on a SQLite database a first, uncounted run migrated),',
  'CPU time (user + system) and peak RSS as `/usr/bin/time` reports them. Modules: files of code loaded (ES and CommonJS), counted in one more, untimed run under `test/helpers/module-trace.mjs`.',
  `Medians of ${runs} runs; \`${command}\`.`,
  `${at}, ${machine}; the machine is shared: load average (1, 5, 15 min) ${round2(loadBefore)} before the runs, ${round2(loadAfter)} after.`,
  '',
  '| case | median seconds | × `node -e 0` | median CPU seconds | median peak RSS | modules loaded |',
  '| --- | ---: | ---: | ---: | ---: | ---: |',
  ...summary.map(
    (s) => `| ${s.case} | ${s.seconds.toFixed(3)} | ${s.timesNode.toFixed(2)} | ${s.cpuSeconds.toFixed(2)} | ${s.peakRssMegabytes.toFixed(0)} MB | ${s.modulesLoaded} |`,
  ),
  '',
  '| goal (issue 14) | measured (median) | met | met in CPU time |',
  '| --- | ---: | --- | --- |',
  ...goals.map((g) => `| ${g.goal} | ${g.value} | ${g.met ? 'yes' : '**no**'} | ${g.metOnCpu ? 'yes' : '**no**'} |`),
  '',
  ...(busy
    ? [
        `The load average was above the ${cpus().length} cores: a process waited for a core most of its wall time, which then`,
        'measures the queue more than the start; the CPU seconds (user and system, as `/usr/bin/time` reports them) are the work done.',
        '',
      ]
    : []),
  'Each run, in seconds (CPU seconds, peak RSS in MB):',
  '',
  ...summary.map((s) => `- ${s.case}: ${s.runs.map((r) => `${r.seconds.toFixed(2)} (${r.cpuSeconds.toFixed(2)}, ${r.peakRssMegabytes.toFixed(0)})`).join(', ')}`),
  '',
].join('\n');
writeFileSync(join(ROOT, 'bench/results/start.md'), md);
process.stdout.write(md);
