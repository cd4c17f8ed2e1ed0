// `matinale worker` as an operator runs it: a child process, ready once it
// prints its line (`matinale worker <id> on <store>`, after its signal
// handlers are in place), then stopped with SIGTERM.
import { spawn } from 'node:child_process';

export interface StoppedWorker {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Everything it wrote on stderr. */
  stderr: string;
}

export interface WorkerProcess {
  /** Its process id (to send it SIGSTOP, SIGCONT…). */
  pid: number;
  /** The worker id it printed, as the ledger's leases name it. */
  workerId: string;
  /** Whether it is still running. */
  running(): boolean;
  /** What it wrote on stderr so far. */
  stderr(): string;
  stop(): Promise<StoppedWorker>;
}

/** Starts `matinale worker` with `env` over this process's environment; resolves once it is ready. */
export async function startWorkerProcess(env: NodeJS.ProcessEnv): Promise<WorkerProcess> {
  const child = spawn(process.execPath, ['bin/matinale.js', 'worker'], { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  await new Promise<void>((resolve, reject) => {
    const ready = () => {
      if (!/^matinale worker \S+ on .*\n/m.test(stderr)) return;
      child.stderr.off('data', ready);
      child.off('exit', early);
      resolve();
    };
    const early = (code: number | null) => reject(new Error(`worker exited early (${code}): ${stderr}`));
    child.stderr.on('data', ready);
    child.once('exit', early);
  });
  return {
    pid: child.pid!,
    running: () => child.exitCode === null && child.signalCode === null,
    stderr: () => stderr,
    workerId: /^matinale worker (\S+) on /m.exec(stderr)![1]!,
    async stop() {
      const exited = new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.once('exit', (c, s) => resolve([c, s])));
      child.kill('SIGTERM');
      const [code, signal] = await exited;
      return { code, signal, stderr };
    },
  };
}
