// Edition benchmark: parse, lint and render (email, text, web) of a generated
// edition of about 1,500 words, each stage timed over N runs after a warm-up.
//
//   node bin/run-ts.js bench/edition.ts [--runs 30]
//
// Writes bench/results/edition.json and bench/results/edition.md (median,
// minimum and maximum ms per stage). A benchmark, not a timed test: numbers
// depend on the machine, which the results name.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import { parseEdition } from '../src/edition/parse.ts';
import { lintEdition } from '../src/edition/lint.ts';
import { parsePublicationYaml } from '../src/edition/publication-file.ts';
import { renderEmail } from '../src/render/email.ts';
import { renderText } from '../src/render/text.ts';
import { renderWeb } from '../src/render/web.ts';
import { largeEditionSource, wordCount } from '../test/render/large-edition.ts';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const { values } = parseArgs({ options: { runs: { type: 'string', default: '30' } } });
const RUNS = Number(values.runs);
if (!Number.isInteger(RUNS) || RUNS < 1) throw new Error(`--runs ${values.runs}: a positive whole number`);

const publicationFile = join(ROOT, 'examples/publications/tech-matin.yaml');
const { publication } = parsePublicationYaml(readFileSync(publicationFile, 'utf8'), publicationFile);
if (!publication) throw new Error(`${publicationFile}: invalid publication settings`);
const source = largeEditionSource();
const parsed = parseEdition(source, { file: 'bench.md', publication });
if (!parsed.edition || parsed.diagnostics.some((d) => d.severity === 'error')) throw new Error('the generated edition has errors');
const edition = parsed.edition;
const options = { publicUrl: 'https://news.example.org' };

interface StageResult {
  stage: string;
  runs: number;
  medianMs: number;
  minMs: number;
  maxMs: number;
}

async function time(stage: string, work: () => unknown): Promise<StageResult> {
  await work(); // warm-up: module initialisation, dictionary loading, JIT
  const samples: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const start = performance.now();
    await work();
    samples.push(performance.now() - start);
  }
  samples.sort((a, b) => a - b);
  const mid = Math.floor(samples.length / 2);
  const median = samples.length % 2 ? samples[mid]! : (samples[mid - 1]! + samples[mid]!) / 2;
  const round = (n: number) => Math.round(n * 100) / 100;
  return { stage, runs: RUNS, medianMs: round(median), minMs: round(samples[0]!), maxMs: round(samples.at(-1)!) };
}

const stages = [
  await time('parse', () => parseEdition(source, { file: 'bench.md', publication })),
  await time('lint', () => lintEdition({ source, edition, publication, file: 'bench.md' })),
  await time('render email', () => renderEmail(edition, publication, options)),
  await time('render text', () => renderText(edition, publication, options)),
  await time('render web', () => renderWeb(edition, publication, options)),
];

const result = {
  benchmark: 'edition',
  date: new Date().toISOString(),
  machine: { node: process.version, cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, memoryGB: Math.round(totalmem() / 2 ** 30) },
  edition: {
    words: wordCount(source),
    sourceBytes: Buffer.byteLength(source),
    emailBytes: Buffer.byteLength(renderEmail(edition, publication, options)),
    textBytes: Buffer.byteLength(renderText(edition, publication, options)),
    webBytes: Buffer.byteLength(renderWeb(edition, publication, options)),
  },
  stages,
};

const dir = join(ROOT, 'bench/results');
mkdirSync(dir, { recursive: true });
writeFileSync(join(dir, 'edition.json'), JSON.stringify(result, null, 2) + '\n');
const md = [
  '# Edition benchmark',
  '',
  `A generated edition of ${result.edition.words} words (${result.edition.sourceBytes} bytes of Briefing Markdown),`,
  `each stage run ${RUNS} times after one warm-up run; \`node bin/run-ts.js bench/edition.ts --runs ${RUNS}\`.`,
  `${result.date}, Node ${result.machine.node}, ${result.machine.cpu} (${result.machine.cores} cores, ${result.machine.memoryGB} GB).`,
  '',
  '| stage | median ms | min ms | max ms |',
  '| --- | ---: | ---: | ---: |',
  ...stages.map((s) => `| ${s.stage} | ${s.medianMs} | ${s.minMs} | ${s.maxMs} |`),
  '',
  `Sizes: email ${result.edition.emailBytes} bytes (Gmail clips at 102 KB = 104,448 bytes), text ${result.edition.textBytes} bytes, web page ${result.edition.webBytes} bytes.`,
  '',
].join('\n');
writeFileSync(join(dir, 'edition.md'), md);
process.stdout.write(md);
