// Lint benchmark: how many false alarms the spelling check raises on real-like
// editions, before and after names were told apart (issue 15), and how long a
// lint takes. Runs the same measure on two trees of `src/`: this checkout
// ("after") and commit 508249e ("before": extracted with `git archive` into a
// temporary folder, its node_modules a link to ours), in the same run.
//
//   node bin/run-ts.js bench/lint.ts [--runs 7] [--before-commit 508249e]
//   npm run bench:lint
//
// Editions: the two samples of examples/ and the names-heavy editions of
// bench/fixtures/lint/ (French and English), whose real mistakes are listed in
// bench/fixtures/lint/real-errors.json. A false alarm is an unknown-word
// warning on a word that is not one of those mistakes (a name, a right word);
// info findings are shown to the person but never counted as problems. A real
// mistake is found when it is reported as a warning. Writes
// bench/results/lint.json and bench/results/lint.md.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
// Types only: the modules themselves are imported from each tree at run time.
import type * as LoadModule from '../src/edition/load.ts';
import type * as LintModule from '../src/edition/lint.ts';
import type * as SpellingModule from '../src/edition/spelling.ts';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const { values } = parseArgs({ options: { runs: { type: 'string', default: '7' }, 'before-commit': { type: 'string', default: '508249e' } } });
const RUNS = Number(values.runs);
if (!Number.isInteger(RUNS) || RUNS < 1) throw new Error(`--runs ${values.runs}: a positive whole number`);
const BEFORE = values['before-commit']!;

const EDITIONS = [
  'examples/2026-03-02-tech-matin.md',
  'examples/2026-03-02-policy-morning.md',
  'bench/fixtures/lint/2026-05-12-veille-numerique.md',
  'bench/fixtures/lint/2026-05-12-policy-wire.md',
];
const REAL_ERRORS = JSON.parse(readFileSync(join(ROOT, 'bench/fixtures/lint/real-errors.json'), 'utf8')) as Record<string, Array<{ word: string }>>;

interface Diag {
  line: number;
  column: number;
  severity: string;
  rule: string;
  message: string;
  word?: string;
}

/** What a tree of `src/` offers, the same at both commits. */
interface LintTree {
  lint(path: string): Promise<Diag[]>;
}

async function treeAt(root: string): Promise<LintTree> {
  const load = (await import(pathToFileURL(join(root, 'src/edition/load.ts')).href)) as typeof LoadModule;
  const lint = (await import(pathToFileURL(join(root, 'src/edition/lint.ts')).href)) as typeof LintModule;
  const spelling = (await import(pathToFileURL(join(root, 'src/edition/spelling.ts')).href)) as typeof SpellingModule;
  return {
    async lint(path) {
      const loaded = await load.loadEdition(path);
      if (!loaded.partial || !loaded.publication) throw new Error(`${path}: does not load (${loaded.diagnostics.map((d) => d.message).join('; ')})`);
      const words = await spelling.newsroomWordsFor({ editionPath: path, slug: loaded.publication.slug });
      const report = await lint.lintReport({ source: loaded.source, edition: loaded.partial, publication: loaded.publication, file: path, words });
      return report.diagnostics;
    },
  };
}

/** The word a diagnostic is about: its `word`, or (before) the one its message quotes, without an elision or a possessive. */
function wordOf(d: Diag): string {
  const quoted = d.word ?? /« ([^»]+) »/.exec(d.message)?.[1] ?? '';
  return quoted.replace(/^(?:[cdjlmnst]|qu|jusqu|lorsqu|puisqu|quoiqu|presqu)['’]/i, '').replace(/['’]s$/, '');
}

function median(samples: number[]): number {
  const s = [...samples].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

interface Measure {
  unknownWarnings: number;
  info: number;
  falseAlarms: number;
  falseAlarmsPer100Lines: number;
  realErrorsFound: number;
  realErrorsMissed: string[];
  otherWarnings: number;
  medianMs: number;
}

async function measure(tree: LintTree, path: string, lines: number): Promise<Measure> {
  const abs = join(ROOT, path);
  const diagnostics = await tree.lint(abs); // warm-up: dictionaries, JIT
  const samples: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const start = performance.now();
    await tree.lint(abs);
    samples.push(performance.now() - start);
  }
  const real = (REAL_ERRORS[basename(path)] ?? []).map((e) => e.word);
  const unknown = diagnostics.filter((d) => d.rule === 'unknown-word');
  const warnings = unknown.filter((d) => d.severity === 'warning');
  const falseAlarms = warnings.filter((d) => !real.includes(wordOf(d))).length;
  const found = real.filter((w) => warnings.some((d) => wordOf(d) === w));
  return {
    unknownWarnings: warnings.length,
    info: unknown.filter((d) => d.severity === 'info').length,
    falseAlarms,
    falseAlarmsPer100Lines: Math.round((falseAlarms / lines) * 1000) / 10,
    realErrorsFound: found.length,
    realErrorsMissed: real.filter((w) => !found.includes(w)),
    otherWarnings: diagnostics.filter((d) => d.rule !== 'unknown-word' && d.severity === 'warning').length,
    medianMs: Math.round(median(samples) * 10) / 10,
  };
}

// The tree of the commit before, outside the repository (git archive writes nothing in it).
const beforeDir = mkdtempSync(join(tmpdir(), 'matinale-lint-before-'));
const commit = execFileSync('git', ['rev-parse', BEFORE], { cwd: ROOT, encoding: 'utf8' }).trim();
const afterCommit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
execFileSync('sh', ['-c', `git archive ${commit} src package.json | tar -x -C '${beforeDir}'`], { cwd: ROOT });
symlinkSync(join(ROOT, 'node_modules'), join(beforeDir, 'node_modules'));

const loadBefore = loadavg();
try {
  const before = await treeAt(beforeDir);
  const after = await treeAt(ROOT);
  const rows: Array<{ edition: string; lines: number; realErrors: number; before: Measure; after: Measure }> = [];
  for (const path of EDITIONS) {
    if (!existsSync(join(ROOT, path))) throw new Error(`${path}: missing`);
    const lines = readFileSync(join(ROOT, path), 'utf8').split('\n').filter((l, i, all) => i < all.length - 1 || l !== '').length;
    const realErrors = (REAL_ERRORS[basename(path)] ?? []).length;
    rows.push({ edition: path, lines, realErrors, before: await measure(before, path, lines), after: await measure(after, path, lines) });
  }
  const loadAfter = loadavg();
  const total = (side: 'before' | 'after', key: 'falseAlarms' | 'realErrorsFound') => rows.reduce((n, r) => n + r[side][key], 0);
  const totalLines = rows.reduce((n, r) => n + r.lines, 0);
  const per100 = (n: number) => Math.round((n / totalLines) * 1000) / 10;
  const ratio = total('after', 'falseAlarms') ? Math.round((total('before', 'falseAlarms') / total('after', 'falseAlarms')) * 10) / 10 : Infinity;
  const result = {
    benchmark: 'lint',
    date: new Date().toISOString(),
    before: { commit, how: 'git archive of the commit, linted in the same run' },
    after: { commit: afterCommit, how: 'this checkout (uncommitted changes included)' },
    runs: RUNS,
    machine: { node: process.version, cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, memoryGB: Math.round(totalmem() / 2 ** 30) },
    loadAverage: { before: loadBefore.map((l) => Math.round(l * 100) / 100), after: loadAfter.map((l) => Math.round(l * 100) / 100) },
    editions: rows,
    totals: {
      lines: totalLines,
      falseAlarms: { before: total('before', 'falseAlarms'), after: total('after', 'falseAlarms'), ratio },
      falseAlarmsPer100Lines: { before: per100(total('before', 'falseAlarms')), after: per100(total('after', 'falseAlarms')) },
      realErrors: rows.reduce((n, r) => n + r.realErrors, 0),
      realErrorsFound: { before: total('before', 'realErrorsFound'), after: total('after', 'realErrorsFound') },
    },
  };
  const dir = join(ROOT, 'bench/results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'lint.json'), JSON.stringify(result, null, 2) + '\n');
  const t = result.totals;
  const md = [
    '# Lint benchmark: names and false alarms',
    '',
    `Before: commit ${commit.slice(0, 7)} (its \`src/\` taken with \`git archive\` and linted in the same run); after: ${afterCommit} and the working tree.`,
    `\`npm run bench:lint\` (\`node bin/run-ts.js bench/lint.ts --runs ${RUNS}\`), ${result.date}, Node ${result.machine.node},`,
    `${result.machine.cpu} (${result.machine.cores} cores, ${result.machine.memoryGB} GB); load average ${result.loadAverage.before.join(' ')} before, ${result.loadAverage.after.join(' ')} after (a shared machine: times are indicative).`,
    '',
    'A **false alarm** is an `unknown-word` warning on a word that is not one of the real mistakes planted in the edition',
    '(`bench/fixtures/lint/real-errors.json`): a name, a right word. `info` findings (likely names) are shown beside',
    'the text but are not problems: they never fail a lint and are not counted as alarms. A real mistake is **found**',
    'when it is reported as a warning. Each edition is linted with its publication settings and word list file, and no',
    'learned word list (a newsroom that approved two editions naming the same people would see fewer still).',
    '',
    `**Totals:** ${t.falseAlarms.before} false alarms before, ${t.falseAlarms.after} after (${t.falseAlarms.ratio} × fewer) over ${t.lines} lines,`,
    `that is ${t.falseAlarmsPer100Lines.before} → ${t.falseAlarmsPer100Lines.after} per 100 lines; real mistakes found: ${t.realErrorsFound.before} of ${t.realErrors} before, ${t.realErrorsFound.after} of ${t.realErrors} after.`,
    '',
    '| edition | lines | false alarms before | after | per 100 lines before → after | info after | real mistakes found before / after | median ms before | after |',
    '| --- | ---: | ---: | ---: | --- | ---: | --- | ---: | ---: |',
    ...rows.map(
      (r) =>
        `| ${basename(r.edition)} | ${r.lines} | ${r.before.falseAlarms} | ${r.after.falseAlarms} | ${r.before.falseAlarmsPer100Lines} → ${r.after.falseAlarmsPer100Lines} | ${r.after.info} | ${r.before.realErrorsFound} / ${r.after.realErrorsFound} of ${r.realErrors}${r.after.realErrorsMissed.length ? ` (missed after: ${r.after.realErrorsMissed.join(', ')})` : ''} | ${r.before.medianMs} | ${r.after.medianMs} |`,
    ),
    '',
    'What is left as warnings on names: names at the start of a sentence, a kicker, a teaser or a list item that the edition',
    'never writes inside a sentence (the capital says nothing there: « Openreach », « Capgemini »), and the few names one usual',
    'typing slip away from a common word (« Thales », « thalles »). The time is the median of the runs after one warm-up, per',
    'edition, dictionaries loaded (most of it Hunspell’s suggestions for lower-case words, as before).',
    '',
  ].join('\n');
  writeFileSync(join(dir, 'lint.md'), md);
  process.stdout.write(md);
} finally {
  rmSync(beforeDir, { recursive: true, force: true });
}
