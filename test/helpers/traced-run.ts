// Runs bin/matinale.js under test/helpers/module-trace.mjs and returns what it
// printed and every module it loaded: the proof that a command loads only what
// it needs (test/cli/lazy-commands.test.ts, test/cli/dist.test.ts).
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface TracedRun {
  status: number | null;
  stdout: string;
  stderr: string;
  /** Every file of code loaded, as a path relative to the checkout (`src/cli/main.ts`) or to node_modules (`node_modules/mjml/lib/index.js`). */
  files: string[];
  /** The packages among them (`mjml`, `@fastify/cookie`). */
  packages: Set<string>;
}

export interface TracedOptions {
  env?: NodeJS.ProcessEnv;
  /** A line on stderr that says the process is ready: it is then sent SIGTERM. */
  readyOn?: RegExp;
  timeoutMs?: number;
}

function relativeFile(url: string): string {
  const path = fileURLToPath(url);
  const inModules = path.lastIndexOf('/node_modules/');
  if (inModules >= 0) return path.slice(inModules + 1);
  return path.startsWith(ROOT) ? path.slice(ROOT.length) : path;
}

function packageOf(file: string): string | undefined {
  const m = /^node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(file);
  return m?.[1];
}

export async function tracedRun(args: string[], options: TracedOptions = {}): Promise<TracedRun> {
  const dir = mkdtempSync(join(tmpdir(), 'matinale-trace-'));
  const trace = join(dir, 'modules.txt');
  try {
    const child = spawn(process.execPath, ['--import', join(ROOT, 'test/helpers/module-trace.mjs'), join(ROOT, 'bin/matinale.js'), ...args], {
      cwd: ROOT,
      env: { ...process.env, ...options.env, MODULE_TRACE: trace },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    // One SIGTERM, as an operator sends: a second one, sent for each line printed
    // while the process stops, could land after it let go of its handlers and kill it.
    let signalled = false;
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
      if (!signalled && options.readyOn?.test(stderr)) {
        signalled = true;
        child.kill('SIGTERM');
      }
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
    const status = await new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    clearTimeout(timer);
    const urls = readFileSync(trace, 'utf8').split('\n').filter((l) => l.startsWith('file:'));
    const files = [...new Set(urls.map(relativeFile))].sort();
    const packages = new Set(files.map(packageOf).filter((p): p is string => p !== undefined));
    return { status, stdout, stderr, files, packages };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
