// The built dist/ is what `matinale` runs after `npm install` (issue 14): it
// must do what src/ does, without tsx, with the files that are not TypeScript
// beside it (web assets, word lists, the preview thread's entry). Every other
// test runs src/ (MATINALE_SOURCE=1, scripts/test.mjs); this one builds dist/
// first when it is older than src/ (scripts/dist-fresh.mjs), so that it never
// proves a build of older code, then runs the real commands from it.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { staleDistFile } from '../../scripts/dist-fresh.mjs';
import { ROOT, tracedRun } from '../helpers/traced-run.ts';

const DIST = { MATINALE_SOURCE: '' };
const SOURCE = { MATINALE_SOURCE: '1' };
const SAMPLE = 'examples/2026-03-02-tech-matin.md';

before(() => {
  const stale = staleDistFile();
  if (!stale) return;
  const built = spawnSync(process.execPath, [join(ROOT, 'scripts/build.mjs')], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(built.status, 0, `npm run build (dist/ was older than ${stale}):\n${built.stderr}`);
  assert.equal(staleDistFile(), undefined, 'dist/ is fresh after the build');
});

function run(args: string[], env: NodeJS.ProcessEnv) {
  return spawnSync(process.execPath, [join(ROOT, 'bin/matinale.js'), ...args], { cwd: ROOT, env: { ...process.env, ...env }, encoding: 'utf8' });
}

test('bin/matinale.js runs dist/ by default: --help loads dist/cli/main.js, no TypeScript and no tsx, and says what src/ says', async () => {
  const r = await tracedRun(['--help'], { env: DIST });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stderr, '');
  assert.ok(r.files.includes('dist/cli/main.js'), r.files.join(' '));
  assert.deepEqual(r.files.filter((f) => f.startsWith('src/') || f.endsWith('.ts')), []);
  assert.ok(!r.packages.has('tsx'), 'tsx loaded');
  assert.equal(r.stdout, run(['--help'], SOURCE).stdout);
});

test('from dist/, lint and render (MJML) write what they write from src/, and a refused edition exits 1 alike', () => {
  for (const args of [
    ['lint', SAMPLE],
    ['render', SAMPLE, '--format', 'email'],
    ['render', 'no-such-file.md', '--format', 'text'],
  ]) {
    const built = run(args, DIST);
    const source = run(args, SOURCE);
    assert.equal(built.status, source.status, `${args.join(' ')}: ${built.stderr}`);
    assert.equal(built.stdout, source.stdout, args.join(' '));
    assert.equal(built.stderr, source.stderr, args.join(' '));
  }
  assert.match(run(['render', SAMPLE, '--format', 'email'], DIST).stdout, /^<!doctype html>/i);
});

test('from dist/, serve answers with the web assets copied beside the JavaScript, and the preview runner starts its thread from dist/', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'matinale-dist-serve-'));
  const child = spawn(process.execPath, [join(ROOT, 'bin/matinale.js'), 'serve', '--port', '0', '--no-worker'], {
    cwd: ROOT,
    env: { ...process.env, ...DIST, DATA_DIR: dataDir, DATABASE_URL: '', SMTP_URL: '', PUBLIC_URL: '', MATINALE_SECRET: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  try {
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`serve did not start:\n${stdout}\n${stderr}`)), 60_000);
      child.stdout.on('data', () => {
        const m = /Matinale is running at (\S+)/.exec(stdout);
        if (m) {
          clearTimeout(timer);
          resolve(m[1]!);
        }
      });
      void exited.then((code) => reject(new Error(`serve exited ${code}:\n${stdout}\n${stderr}`)));
    });
    const css = await fetch(`${url}/assets/site.css`);
    assert.equal(css.status, 200);
    assert.equal(await css.text(), readFileSync(join(ROOT, 'src/web/assets/site.css'), 'utf8'));
    const home = await fetch(`${url}/`);
    assert.equal(home.status, 200);
    assert.match(await home.text(), /tech-matin/);
  } finally {
    child.kill('SIGTERM');
    await exited;
    rmSync(dataDir, { recursive: true, force: true });
  }

  // The preview runner of dist/, in a process without tsx: its thread's entry is the copied
  // preview-thread.js, which runs the compiled loop beside it.
  const script = `
    import { readFileSync } from 'node:fs';
    import { PreviewRunner } from './dist/web/preview-runner.js';
    import { parsePublicationYaml } from './dist/edition/publication-file.js';
    const path = 'examples/publications/tech-matin.yaml';
    const { publication } = parsePublicationYaml(readFileSync(path, 'utf8'), path);
    const runner = new PreviewRunner({ threads: 1 });
    const preview = await runner.run({ source: readFileSync(${JSON.stringify(SAMPLE)}, 'utf8'), publication, publicUrl: 'https://news.example.org' });
    await runner.close();
    console.log(JSON.stringify({ hasErrors: preview.hasErrors, email: preview.email?.slice(0, 15), subject: preview.facts?.subject }));
  `;
  const previewed = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, ...DIST } });
  assert.equal(previewed.status, 0, previewed.stderr);
  const result = JSON.parse(previewed.stdout) as { hasErrors: boolean; email?: string; subject?: string };
  assert.equal(result.hasErrors, false);
  assert.match(result.email ?? '', /^<!doctype html>/i);
  assert.ok(result.subject, 'the preview read the front matter');
});

test('without dist/, bin/matinale.js says so and runs src/ through tsx', () => {
  // A checkout of its own with no dist/: the same bin, src/ and node_modules.
  const checkout = mkdtempSync(join(tmpdir(), 'matinale-no-dist-'));
  try {
    mkdirSync(join(checkout, 'bin'));
    cpSync(join(ROOT, 'bin/matinale.js'), join(checkout, 'bin/matinale.js'));
    cpSync(join(ROOT, 'package.json'), join(checkout, 'package.json'));
    symlinkSync(join(ROOT, 'src'), join(checkout, 'src'));
    symlinkSync(join(ROOT, 'node_modules'), join(checkout, 'node_modules'));
    const r = spawnSync(process.execPath, [join(checkout, 'bin/matinale.js'), '--help'], { cwd: checkout, env: { ...process.env, ...DIST }, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /dist\/ is not built \(npm run build\): running src\/ through tsx/);
    assert.equal(r.stdout, run(['--help'], SOURCE).stdout);
  } finally {
    rmSync(checkout, { recursive: true, force: true });
  }
});
