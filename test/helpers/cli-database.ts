// Runs the real `matinale` command against a fresh database of each backend:
// SQLite in a temporary DATA_DIR, and PostgreSQL (when reachable) in a fresh
// schema named through the URL (`?options=-c search_path=…`), exactly as an
// operator would point the command at a database.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openStore, type Store } from '../../src/store/db.ts';
import { freshDatabase, testBackends, TEST_DATABASE_URL } from './store.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface CliDatabase {
  name: 'sqlite' | 'postgres';
  /** The environment of a command using this database. */
  env: NodeJS.ProcessEnv;
  /** A folder for the test's files. */
  dir: string;
  /** Opens the same database from the test, to look at what the command did. */
  open(): Store;
  dispose(): Promise<void>;
}

export interface RunResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** For each backend, a factory of fresh (not migrated) databases for commands. */
export async function cliBackends(): Promise<Array<{ name: 'sqlite' | 'postgres'; create(): Promise<CliDatabase> }>> {
  return (await testBackends()).map(({ name }) => ({
    name,
    async create() {
      const fresh = await freshDatabase(name);
      const dir = mkdtempSync(join(tmpdir(), 'matinale-cli-'));
      const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: join(dir, 'data') };
      delete env.DATABASE_URL;
      if (name === 'sqlite') {
        env.DATA_DIR = fresh.options.dataDir!;
      } else {
        const url = new URL(TEST_DATABASE_URL);
        url.searchParams.set('options', `-c search_path=${fresh.options.schema}`);
        env.DATABASE_URL = url.toString();
      }
      return {
        name,
        env,
        dir,
        open: () => openStore(fresh.options),
        async dispose() {
          await fresh.drop();
          rmSync(dir, { recursive: true, force: true });
        },
      };
    },
  }));
}

/** Runs `matinale ARGS` as a child process and collects its output; `timeoutMs` kills a command that hangs (SIGKILL, status null). */
export function runMatinale(args: string[], env: NodeJS.ProcessEnv, options: { timeoutMs?: number } = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(ROOT, 'bin/matinale.js'), ...args], { env, cwd: ROOT, timeout: options.timeoutMs, killSignal: 'SIGKILL' });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}
