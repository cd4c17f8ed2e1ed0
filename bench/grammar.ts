// Grammar benchmark: lint of a 90-line edition in French (Grammalecte) and in
// English (Harper), beside the same lint without grammar measured in the same
// run (the reference), warm (the checker already started, as in a newsroom
// server or after the first edition of a run) and cold (a new checker: the
// Python process or the Harper thread started for this lint, as in one
// `matinale lint`). Medians over N runs, with the load average before and after:
// the machine is shared, the ratio to the reference is what travels.
//
//   npm run bench:grammar -- [--runs 10] [--cold 3]
//
// Writes bench/results/grammar.json and bench/results/grammar.md.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import { parseEdition } from '../src/edition/parse.ts';
import { lintReport } from '../src/edition/lint.ts';
import type { GrammarChecker } from '../src/edition/grammar.ts';
import { parsePublicationYaml } from '../src/edition/publication-file.ts';
import type { Publication } from '../src/edition/publication.ts';
import { GrammarService } from '../src/grammar/service.ts';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const { values } = parseArgs({ options: { runs: { type: 'string', default: '10' }, cold: { type: 'string', default: '3' } } });
const RUNS = Number(values.runs);
const COLD = Number(values.cold);
if (!Number.isInteger(RUNS) || RUNS < 1 || !Number.isInteger(COLD) || COLD < 1) throw new Error('--runs and --cold: positive whole numbers');

function settings(file: string): Publication {
  const path = join(ROOT, file);
  const { publication } = parsePublicationYaml(readFileSync(path, 'utf8'), path);
  if (!publication) throw new Error(`${path}: invalid publication settings`);
  return publication;
}

const language = (text: string) => (/publication: grammaire/.test(text) ? 'fr' : 'en');

/** A 90-line edition: the fixture's front matter, then its body's stories repeated (errors included). */
function ninetyLines(file: string): string {
  const text = readFileSync(join(ROOT, file), 'utf8');
  const end = text.indexOf('\n---\n', 4) + 5;
  const head = text.slice(0, end);
  const body = text.slice(end).replace(/^# .*\n\n/m, '');
  const stories = body.slice(0, body.search(/^# /m));
  const lines = [...head.trimEnd().split('\n'), '', language(text) === 'fr' ? '# Le fait du jour' : '# Top story', ''];
  for (let i = 1; lines.length < 90; i++) lines.push(...stories.replace(/^## (.*)\.$/m, `## $1 ${i}.`).trimEnd().split('\n'), '');
  return `${lines.slice(0, 90).join('\n')}\n`;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};
const round = (n: number) => Math.round(n * 10) / 10;

async function lintOnce(source: string, publication: Publication, grammar?: GrammarChecker): Promise<{ ms: number; findings: number }> {
  const start = performance.now();
  const parsed = parseEdition(source, { file: 'bench.md', publication });
  const report = await lintReport({ source, edition: parsed.edition!, publication, file: 'bench.md', suggest: false, ...(grammar ? { grammar } : {}) });
  if (report.notes.length) throw new Error(`lint notes: ${report.notes.join('; ')}`);
  return { ms: performance.now() - start, findings: report.diagnostics.filter((d) => d.rule.startsWith('grammar-')).length };
}

interface Row {
  language: string;
  lines: number;
  referenceMs: number;
  warmMs: number;
  coldMs: number;
  warmRatio: number;
  findings: number;
}

const rows: Row[] = [];
const loadBefore = loadavg();
for (const [language, fixture, publicationFile] of [
  ['fr', 'test/fixtures/grammar/2026-04-01-grammaire-matin.md', 'test/fixtures/grammar/publications/grammaire-matin.yaml'],
  ['en', 'test/fixtures/grammar/2026-04-01-grammar-morning.md', 'test/fixtures/grammar/publications/grammar-morning.yaml'],
] as const) {
  const publication = settings(publicationFile);
  const source = ninetyLines(fixture);
  await lintOnce(source, publication); // dictionaries loaded before anything is timed
  const reference: number[] = [];
  const warm: number[] = [];
  const service = new GrammarService();
  let findings = (await lintOnce(source, publication, service)).findings;
  // Interleaved, so that a change of load hits both alike.
  for (let i = 0; i < RUNS; i++) {
    reference.push((await lintOnce(source, publication)).ms);
    const w = await lintOnce(source, publication, service);
    warm.push(w.ms);
    findings = w.findings;
  }
  await service.close();
  const cold: number[] = [];
  for (let i = 0; i < COLD; i++) {
    const fresh = new GrammarService();
    cold.push((await lintOnce(source, publication, fresh)).ms);
    await fresh.close();
  }
  rows.push({
    language,
    lines: source.split('\n').length - 1,
    referenceMs: round(median(reference)),
    warmMs: round(median(warm)),
    coldMs: round(median(cold)),
    warmRatio: Math.round((median(warm) / median(reference)) * 100) / 100,
    findings,
  });
}
const loadAfter = loadavg();

const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'CPU'}, Node ${process.version}`;
const load = (l: number[]) => l.map((x) => x.toFixed(2)).join(' ');
const result = { date: new Date().toISOString(), machine, runs: RUNS, cold: COLD, loadBefore, loadAfter, rows };
mkdirSync(join(ROOT, 'bench/results'), { recursive: true });
writeFileSync(join(ROOT, 'bench/results/grammar.json'), `${JSON.stringify(result, null, 2)}\n`);
const md = [
  '# Grammar in lint',
  '',
  `${result.date}, ${machine}. Load average before ${load(loadBefore)}, after ${load(loadAfter)}.`,
  `Median of ${RUNS} runs (warm, interleaved with the reference) and ${COLD} (cold) of parse + lint of a 90-line edition`,
  '(`bench/grammar.ts`: the grammar fixtures, errors included, repeated). Reference: the same lint without grammar.',
  'Warm: the checker already running (a newsroom server, every edition of a run after the first); cold: a new',
  'Grammalecte process or Harper thread for this lint (one `matinale lint`).',
  '',
  '| language | lines | reference ms | with grammar, warm ms | ratio | with grammar, cold ms | grammar findings |',
  '| --- | --- | --- | --- | --- | --- | --- |',
  ...rows.map((r) => `| ${r.language} | ${r.lines} | ${r.referenceMs} | ${r.warmMs} | ${r.warmRatio} | ${r.coldMs} | ${r.findings} |`),
  '',
];
writeFileSync(join(ROOT, 'bench/results/grammar.md'), md.join('\n'));
process.stdout.write(md.join('\n'));
