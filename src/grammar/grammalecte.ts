// Grammalecte, the French grammar checker, as one long-lived Python process
// (grammalecte-server.py, JSON lines over its standard input and output):
// started on the first check, reused by every check after it, started again
// on the next check if it died, ended by close() (or by the end of this
// process: it exits when its standard input closes). Loading Grammalecte
// takes a few tenths of a second; a paragraph then takes milliseconds.
import { spawn } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

/** A finding as the server sends it (grammalecte-server.py). */
export interface GrammalecteFinding {
  start: number;
  end: number;
  rule: string;
  type: string;
  message: string;
  suggestions: string[];
}

export interface GrammalecteOptions {
  /** The Python interpreter (default: `MATINALE_PYTHON`, else Debian's /usr/bin/python3, else `python3` on the PATH). */
  python?: string;
  /** How long one check may take before the process is ended (default 30 s). */
  timeoutMs?: number;
}

/** Why French grammar could not be checked, with how to make it work. */
export class GrammalecteUnavailable extends Error {}

const SERVER = fileURLToPath(new URL('./grammalecte-server.py', import.meta.url));

/** The interpreter used when none is given: the one python3-grammalecte installs for. */
export function defaultPython(): string {
  const fromEnv = process.env.MATINALE_PYTHON;
  if (fromEnv) return fromEnv;
  // A python3 of pyenv or a virtualenv earlier on the PATH does not see Debian's packages.
  return existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
}

const INSTALL_HINT = 'install Debian’s python3-grammalecte (apt-get install python3-grammalecte grammalecte-cli), or set MATINALE_PYTHON to a Python that has the grammalecte module';

interface Pending {
  resolve(findings: GrammalecteFinding[][]): void;
  reject(err: Error): void;
  timer: NodeJS.Timeout;
}

interface Running {
  child: ChildProcessWithoutNullStreams;
  /** Resolves with the pid once Grammalecte is loaded; rejects with GrammalecteUnavailable. */
  ready: Promise<number>;
  pending: Map<number, Pending>;
  stderr: string;
}

/** One Grammalecte process, started on demand. */
export class Grammalecte {
  private readonly python: string;
  private readonly timeoutMs: number;
  private running: Running | undefined;
  private nextId = 1;
  private closed = false;

  constructor(options: GrammalecteOptions = {}) {
    this.python = options.python ?? defaultPython();
    this.timeoutMs = options.timeoutMs ?? 30_000;
  }

  /** The pid of the running process, if one runs. */
  get pid(): number | undefined {
    return this.running?.child.pid;
  }

  /**
   * The findings of each paragraph. A process that dies during a check is
   * started again and the check made once more; rejects with
   * GrammalecteUnavailable when the module is missing or the check fails twice.
   */
  async check(paragraphs: readonly string[]): Promise<GrammalecteFinding[][]> {
    try {
      return await this.once(paragraphs);
    } catch (err) {
      if (err instanceof GrammalecteUnavailable || this.closed) throw err;
      return this.once(paragraphs).catch((again: unknown) => {
        throw again instanceof GrammalecteUnavailable ? again : new GrammalecteUnavailable(`Grammalecte failed: ${(again as Error).message}`);
      });
    }
  }

  /** Ends the process (it is started again by a later check). */
  async close(): Promise<void> {
    const running = this.running;
    this.running = undefined;
    this.closed = true;
    if (!running) return;
    const exited = new Promise<void>((resolve) => {
      if (running.child.exitCode !== null || running.child.signalCode !== null) resolve();
      else running.child.once('exit', () => resolve());
    });
    running.child.stdin.end();
    const timer = setTimeout(() => running.child.kill('SIGKILL'), 2000);
    await exited;
    clearTimeout(timer);
  }

  private async once(paragraphs: readonly string[]): Promise<GrammalecteFinding[][]> {
    const running = this.start();
    await running.ready;
    const id = this.nextId++;
    this.hold(running, true);
    try {
      return await new Promise<GrammalecteFinding[][]>((resolve, reject) => {
        const timer = setTimeout(() => {
          running.pending.delete(id);
          reject(new Error(`no answer in ${Math.round(this.timeoutMs / 1000)} s`));
          // A process that hangs is of no use to the next check either.
          running.child.kill('SIGKILL');
        }, this.timeoutMs);
        running.pending.set(id, { resolve, reject, timer });
        running.child.stdin.write(`${JSON.stringify({ id, paragraphs })}\n`);
      });
    } finally {
      if (running.pending.size === 0) this.hold(running, false);
    }
  }

  private start(): Running {
    if (this.running) return this.running;
    this.closed = false;
    const child = spawn(this.python, [SERVER], { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, PYTHONIOENCODING: 'utf-8' } });
    let settle: { resolve(pid: number): void; reject(err: Error): void } | undefined;
    const ready = new Promise<number>((resolve, reject) => {
      settle = { resolve, reject };
    });
    // A check that never comes must not leave an unhandled rejection behind.
    ready.catch(() => {});
    const running: Running = { child, ready, pending: new Map(), stderr: '' };
    this.running = running;
    child.stdin.on('error', () => {});
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      running.stderr = (running.stderr + chunk).slice(-2000);
    });
    const lines = createInterface({ input: child.stdout });
    lines.on('line', (line) => {
      let message: { ready?: boolean; pid?: number; unavailable?: string; id?: number; findings?: GrammalecteFinding[][]; error?: string };
      try {
        message = JSON.parse(line) as typeof message;
      } catch {
        return;
      }
      if (message.ready) settle?.resolve(message.pid ?? child.pid ?? 0);
      else if (message.unavailable !== undefined) {
        settle?.reject(new GrammalecteUnavailable(`Grammalecte is not installed for ${this.python} (${message.unavailable}): ${INSTALL_HINT}`));
      } else if (message.id !== undefined) {
        const pending = running.pending.get(message.id);
        if (!pending) return;
        running.pending.delete(message.id);
        clearTimeout(pending.timer);
        if (message.findings) pending.resolve(message.findings);
        else pending.reject(new Error(message.error ?? 'no findings in the answer'));
      }
    });
    child.on('error', (err: NodeJS.ErrnoException) => {
      const reason = err.code === 'ENOENT' ? `there is no Python at ${this.python}` : err.message;
      settle?.reject(new GrammalecteUnavailable(`Grammalecte could not start: ${reason}; ${INSTALL_HINT}`));
      this.ended(running, reason);
    });
    child.on('exit', (code, signal) => {
      const why = running.stderr.trim().split('\n').pop() ?? '';
      const reason = `the Grammalecte process ended (${signal ?? `exit status ${code}`})${why ? `: ${why}` : ''}`;
      settle?.reject(new GrammalecteUnavailable(`Grammalecte could not start: ${reason}; ${INSTALL_HINT}`));
      this.ended(running, reason);
    });
    this.hold(running, true);
    void ready.then(
      () => {
        if (running.pending.size === 0) this.hold(running, false);
      },
      () => {},
    );
    return running;
  }

  /** Forgets a process that ended, failing what it still had to answer. */
  private ended(running: Running, reason: string): void {
    if (this.running === running) this.running = undefined;
    for (const [id, pending] of running.pending) {
      running.pending.delete(id);
      clearTimeout(pending.timer);
      pending.reject(new Error(reason));
    }
  }

  // While a check waits the process keeps this one alive; idle, it must not
  // hold a finished command or test open (it ends with this process anyway).
  private hold(running: Running, held: boolean): void {
    const handles = [running.child, running.child.stdout, running.child.stdin, running.child.stderr] as Array<{ ref(): void; unref(): void }>;
    for (const handle of handles) {
      if (held) handle.ref();
      else handle.unref();
    }
  }
}
