// Harper, the English grammar checker, on one worker thread of its own
// (harper-thread.js), started on the first check and kept: loading its
// WebAssembly and dictionary takes about two seconds, a paragraph then takes
// milliseconds. The thread never holds the process open while idle.
import { Worker } from 'node:worker_threads';
import { HARPER_RULES_OFF } from './families.ts';

/** A finding as the thread sends it. */
export interface HarperFinding {
  start: number;
  end: number;
  rule: string;
  kind: string;
  message: string;
  suggestions: string[];
}

export interface HarperOptions {
  /** The harper.js package to load (a test names a missing one). */
  module?: string;
  /** How long one check may take before the thread is ended (default 60 s: the first one loads Harper). */
  timeoutMs?: number;
}

/** Why English grammar could not be checked. */
export class HarperUnavailable extends Error {}

interface Pending {
  resolve(findings: HarperFinding[][]): void;
  reject(err: Error): void;
  timer: NodeJS.Timeout;
}

const ENTRY = new URL('./harper-thread.js', import.meta.url);

/** One Harper thread, started on demand. */
export class Harper {
  private readonly module: string;
  private readonly timeoutMs: number;
  private worker: Worker | undefined;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;

  constructor(options: HarperOptions = {}) {
    this.module = options.module ?? 'harper.js';
    this.timeoutMs = options.timeoutMs ?? 60_000;
  }

  /** The findings of each paragraph; rejects with HarperUnavailable when harper.js cannot be loaded or fails. */
  check(paragraphs: readonly string[]): Promise<HarperFinding[][]> {
    const worker = this.start();
    const id = this.nextId++;
    worker.ref();
    return new Promise<HarperFinding[][]>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.settle(id, new HarperUnavailable(`Harper gave no answer in ${Math.round(this.timeoutMs / 1000)} s`));
        void this.close();
      }, this.timeoutMs);
      this.pending.set(id, { resolve, reject, timer });
      worker.postMessage({ id, paragraphs, rulesOff: HARPER_RULES_OFF });
    });
  }

  /** Ends the thread (a later check starts another). */
  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    for (const id of [...this.pending.keys()]) this.settle(id, new HarperUnavailable('the Harper thread was closed'));
    if (worker) await worker.terminate();
  }

  private start(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(ENTRY, { execArgv: [], workerData: { module: this.module } });
    worker.unref();
    worker.on('message', (answer: { id: number; findings?: HarperFinding[][]; unavailable?: string; error?: string }) => {
      if (answer.findings) this.settle(answer.id, undefined, answer.findings);
      else if (answer.unavailable !== undefined) {
        this.settle(answer.id, new HarperUnavailable(`Harper (harper.js) could not be loaded (${answer.unavailable}): run npm install`));
      } else this.settle(answer.id, new HarperUnavailable(`Harper failed: ${answer.error ?? 'no answer'}`));
    });
    const gone = (reason: string) => {
      if (this.worker !== worker) return;
      this.worker = undefined;
      for (const id of [...this.pending.keys()]) this.settle(id, new HarperUnavailable(reason));
    };
    worker.on('error', (err) => gone(`the Harper thread failed: ${err.message}`));
    worker.on('exit', (code) => gone(`the Harper thread ended (exit status ${code})`));
    this.worker = worker;
    return worker;
  }

  private settle(id: number, err: Error | undefined, findings?: HarperFinding[][]): void {
    const pending = this.pending.get(id);
    if (!pending) return;
    this.pending.delete(id);
    clearTimeout(pending.timer);
    if (this.pending.size === 0) this.worker?.unref();
    if (err) pending.reject(err);
    else pending.resolve(findings!);
  }
}
