// Previews run on worker threads, so that one long source (lint and render
// take seconds on a large one) never holds the event loop that answers every
// other request. A few threads, started on first use and then kept; jobs wait
// in order for a free one. A job given a key (a person and an edition) is
// cancelled by a newer job of the same key: dropped if it still waits, its
// thread ended and replaced if it runs (the only way to stop a synchronous
// lint). A job that runs too long ends its thread the same way.
import { Worker } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import type { EditionPreview, PreviewInput } from './edition-preview.ts';
import type { GrammarChecker } from '../edition/grammar.ts';
import { sharedGrammarService } from '../grammar/service.ts';
import { answerGrammar, isGrammarQuestion } from './preview-grammar.ts';

/** A newer preview of the same person and edition replaced this one. */
export class PreviewSuperseded extends Error {
  readonly code = 'superseded';
  constructor() {
    super('A newer preview of this edition replaced this one');
  }
}

/** The preview ran longer than the runner allows. */
export class PreviewTimedOut extends Error {
  readonly code = 'preview-timeout';
  constructor(ms: number) {
    super(`The preview took longer than ${Math.round(ms / 1000)} s: shorten the source`);
  }
}

export interface PreviewRunnerOptions {
  /** Worker threads (default: one less than the cores, at least 1, at most 4). */
  threads?: number;
  /** How long one preview may run (default 60 s: a long source takes a few seconds on an idle core). */
  timeoutMs?: number;
  /** The grammar checker the threads ask (default: the process's, src/grammar/service.ts). */
  grammar?: GrammarChecker;
}

interface Job {
  id: number;
  input: PreviewInput;
  key: string | undefined;
  resolve(preview: EditionPreview): void;
  reject(err: Error): void;
}

interface Slot {
  worker?: Worker;
  job?: Job;
  timer?: NodeJS.Timeout;
}

const ENTRY = new URL('./preview-thread.js', import.meta.url);

/** A small pool of preview threads with per-key cancellation. */
export class PreviewRunner {
  private readonly slots: Slot[];
  private readonly waiting: Job[] = [];
  private readonly byKey = new Map<string, Job>();
  private readonly timeoutMs: number;
  private readonly grammar: GrammarChecker | undefined;
  private nextId = 1;

  constructor(options: PreviewRunnerOptions = {}) {
    const threads = options.threads ?? Math.min(4, Math.max(1, availableParallelism() - 1));
    this.slots = Array.from({ length: threads }, () => ({}));
    this.timeoutMs = options.timeoutMs ?? 60_000;
    this.grammar = options.grammar;
  }

  /** Runs one preview on a thread; rejects with PreviewSuperseded when a newer job of the same key comes. */
  run(input: PreviewInput, key?: string): Promise<EditionPreview> {
    return new Promise((resolve, reject) => {
      const job: Job = { id: this.nextId++, input, key, resolve, reject };
      if (key !== undefined) {
        const older = this.byKey.get(key);
        if (older) this.cancel(older, new PreviewSuperseded());
        this.byKey.set(key, job);
      }
      this.waiting.push(job);
      this.dispatch();
    });
  }

  /** Ends every thread; jobs still waiting or running are rejected. */
  async close(): Promise<void> {
    for (const job of this.waiting.splice(0)) this.settle(job, new Error('the preview runner closed'));
    await Promise.all(
      this.slots.map((slot) => {
        const job = slot.job;
        this.free(slot);
        if (job) this.settle(job, new Error('the preview runner closed'));
        return this.stop(slot);
      }),
    );
  }

  private dispatch(): void {
    for (const slot of this.slots) {
      if (slot.job || this.waiting.length === 0) continue;
      const job = this.waiting.shift()!;
      slot.job = job;
      slot.timer = setTimeout(() => this.cancel(job, new PreviewTimedOut(this.timeoutMs)), this.timeoutMs);
      const worker = this.workerOf(slot);
      // Held while it works (the caller awaits it), let go when idle.
      worker.ref();
      worker.postMessage({ id: job.id, input: job.input });
    }
  }

  private workerOf(slot: Slot): Worker {
    if (slot.worker) return slot.worker;
    // No inherited execArgv: the entry registers tsx itself (a `--import tsx` of the parent does not reach a worker).
    const worker = new Worker(ENTRY, { execArgv: [] });
    // An idle preview thread must not keep a finished process (a CLI run, a test) alive.
    worker.unref();
    worker.on('message', (answer: { id: number; preview?: EditionPreview; error?: string } | unknown) => {
      if (isGrammarQuestion(answer)) {
        // The thread's lint asks for grammar: the checker runs off this event loop (a process, a thread).
        void answerGrammar(this.grammar ?? sharedGrammarService(), answer).then((reply) => {
          if (slot.worker === worker) worker.postMessage(reply);
        });
        return;
      }
      const job = slot.job;
      const done = answer as { id: number; preview?: EditionPreview; error?: string };
      if (!job || job.id !== done.id) return;
      this.free(slot);
      if (done.preview) this.settle(job, undefined, done.preview);
      else this.settle(job, new Error(`preview failed: ${done.error}`));
      this.dispatch();
    });
    worker.on('error', (err) => {
      if (slot.worker !== worker) return;
      const job = slot.job;
      slot.worker = undefined;
      this.free(slot);
      if (job) this.settle(job, err);
      this.dispatch();
    });
    slot.worker = worker;
    return worker;
  }

  private cancel(job: Job, reason: Error): void {
    const queued = this.waiting.indexOf(job);
    if (queued >= 0) this.waiting.splice(queued, 1);
    const slot = this.slots.find((s) => s.job === job);
    if (slot) {
      this.free(slot);
      void this.stop(slot);
    }
    this.settle(job, reason);
    this.dispatch();
  }

  private free(slot: Slot): void {
    clearTimeout(slot.timer);
    slot.timer = undefined;
    slot.job = undefined;
    slot.worker?.unref();
  }

  private async stop(slot: Slot): Promise<void> {
    const worker = slot.worker;
    slot.worker = undefined;
    if (worker) await worker.terminate();
  }

  private settle(job: Job, err: Error | undefined, preview?: EditionPreview): void {
    if (job.key !== undefined && this.byKey.get(job.key) === job) this.byKey.delete(job.key);
    if (err) job.reject(err);
    else job.resolve(preview!);
  }
}

let shared: PreviewRunner | undefined;

/** The process's preview runner, made on first use (its threads do not keep the process alive). */
export function previewRunner(): PreviewRunner {
  shared ??= new PreviewRunner();
  return shared;
}
