// The signing threads: a pool of node:worker_threads (signing-thread.ts) that
// compute the RSA signatures of DKIM off the event loop. A signature costs
// about 0.26 ms of a core, five times the rest of a signed message; on the
// event loop it would hold the SMTP connections back, and on libuv's thread
// pool (four threads) it takes both cores from the loop at once. The loop
// builds the message (splice.ts) and hands a thread only the signing input.
//
// - Sized by SIGNING_THREADS, by default the cores but one, the event loop's
//   (`defaultSigningThreads`); 0 signs on libuv's thread pool.
// - Started at the first signature, kept across batches and sends, ended by
//   `close()` (the worker's stop, `send --wait`'s end). An idle thread never
//   holds the process open.
// - The inputs asked for while a thread is busy travel to it together in one
//   postMessage (`flush`), with the key it has not had yet (once per thread);
//   the signatures come back the same way.
// - A thread that ends (a crash, an exception), or answers nothing for 60 s
//   and is ended for it, fails its signatures in flight with an error, which
//   the worker retries like any transport error, logs one line, and the next
//   signature starts another. Threads that die before they could load, three
//   in a row, leave the signing to libuv's thread pool.
import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import type { DkimSigner, RsaSigner } from './dkim.ts';
import type { RsaPool } from './message-builder.ts';
import type { SigningAnswer, SigningRequest } from './signing-thread.ts';
import { startThread } from './thread-start.ts';
import type { DeliveryLogger } from './worker-batch.ts';

/** The threads a process signs on by default: every core but the event loop's; none on one core. */
export function defaultSigningThreads(): number {
  return Math.max(0, availableParallelism() - 1);
}

export interface SigningThreadsOptions {
  /** How many threads (at least 1). */
  size: number;
  logger: Pick<DeliveryLogger, 'warn' | 'error'>;
  /** How long a request may go unanswered before its thread is ended (default 60 s; a request takes milliseconds). */
  timeoutMs?: number;
}

/** Requests a thread may have in hand: one it signs, one waiting, so that it never waits for the event loop. */
const REQUESTS_PER_THREAD = 2;
/** Threads dying before they could load, in a row, after which libuv's thread pool signs. */
const FAILED_STARTS = 3;


interface Pending {
  resolve(signature: string): void;
  reject(err: Error): void;
}

interface Thread {
  worker: Worker;
  inFlight: Map<number, Pending>;
  /** One timer per request posted and not yet answered, oldest first (a thread answers in order). */
  requests: NodeJS.Timeout[];
  /** DKIM keys sent to it. */
  keys: Set<number>;
  ready: boolean;
  closing: boolean;
  error?: Error;
}

interface Queued {
  signer: DkimSigner;
  id: number;
  text: string;
  pending: Pending;
}

/** The pool; its `rsa` signs a DkimSigner's signing input. */
export class SigningThreads implements RsaPool {
  private threads: Thread[] = [];
  private queue: Queued[] = [];
  private flushing = false;
  private readonly keyIds = new WeakMap<DkimSigner, number>();
  private nextId = 1;
  private failedStarts = 0;
  private onLibuv = false;
  /** Requests posted to the threads and the signatures they asked for: how well the hand-over coalesces. */
  readonly stats = { requests: 0, signatures: 0 };

  private readonly timeoutMs: number;

  constructor(private readonly options: SigningThreadsOptions) {
    this.timeoutMs = options.timeoutMs ?? 60_000;
    if (!Number.isSafeInteger(options.size) || options.size < 1) throw new Error(`signing threads: size must be at least 1 (got ${options.size})`);
  }

  /** The live threads (tests end one to see the pool replace it). */
  get workers(): readonly Worker[] {
    return this.threads.map((t) => t.worker);
  }

  /** Signatures handed to the threads and not answered yet. */
  get inFlight(): number {
    let n = 0;
    for (const t of this.threads) n += t.inFlight.size;
    return n;
  }

  readonly rsa: RsaSigner = (signer, text) => {
    if (this.onLibuv) return signer.signOffLoop(text);
    return new Promise<string>((resolve, reject) => {
      this.queue.push({ signer, id: this.nextId++, text, pending: { resolve, reject } });
      this.schedule();
    });
  };

  async close(): Promise<void> {
    const threads = this.threads;
    this.threads = [];
    const queue = this.queue;
    this.queue = [];
    for (const q of queue) q.pending.reject(new Error('the signing threads were closed'));
    for (const t of threads) t.closing = true;
    await Promise.all(threads.map((t) => t.worker.terminate()));
  }

  private schedule(): void {
    if (this.flushing) return;
    this.flushing = true;
    // After the poll phase: every input asked for in this turn (one per SMTP reply read) goes in one message.
    setImmediate(() => this.flush());
  }

  /**
   * Hands what waits to the threads that have fewer than REQUESTS_PER_THREAD
   * requests in hand, in one request each; the rest waits for an answer. A
   * thread is thus never idle while there is work, and the inputs asked for
   * while it signs travel together: a few larger requests and answers rather
   * than one per message, each of which costs both threads a wakeup.
   */
  private flush(): void {
    this.flushing = false;
    if (this.queue.length === 0) return;
    if (this.onLibuv) {
      const queue = this.queue;
      this.queue = [];
      for (const q of queue) q.signer.signOffLoop(q.text).then(q.pending.resolve, q.pending.reject);
      return;
    }
    while (this.threads.length < this.options.size) this.threads.push(this.start());
    const free = this.threads.filter((t) => t.requests.length < REQUESTS_PER_THREAD).sort((a, b) => a.inFlight.size - b.inFlight.size);
    if (free.length === 0) return;
    const queue = this.queue;
    this.queue = [];
    const share = Math.ceil(queue.length / free.length);
    for (let i = 0; i * share < queue.length; i++) this.post(free[i]!, queue.slice(i * share, (i + 1) * share));
  }

  private post(thread: Thread, items: Queued[]): void {
    const request: SigningRequest = { inputs: [] };
    for (const q of items) {
      request.inputs.push({ id: q.id, key: this.keyFor(thread, request, q.signer), text: q.text });
      thread.inFlight.set(q.id, q.pending);
    }
    // A thread that answers nothing (it cannot, short of a fault) is ended like one that crashed.
    const timer = setTimeout(() => {
      thread.error ??= new Error(`no answer in ${this.timeoutMs} ms`);
      void thread.worker.terminate();
    }, this.timeoutMs);
    timer.unref();
    thread.requests.push(timer);
    this.stats.requests++;
    this.stats.signatures += request.inputs.length;
    thread.worker.ref();
    thread.worker.postMessage(request);
  }

  /** The signer's key id, added to the request when the thread does not have that key yet. */
  private keyFor(thread: Thread, request: SigningRequest, signer: DkimSigner): number {
    let key = this.keyIds.get(signer);
    if (key === undefined) this.keyIds.set(signer, (key = this.nextId++));
    if (!thread.keys.has(key)) {
      thread.keys.add(key);
      (request.keys ??= []).push({ id: key, pem: signer.settings.privateKey });
    }
    return key;
  }

  private start(): Thread {
    const worker = startThread('signing-thread');
    worker.unref();
    const thread: Thread = { worker, inFlight: new Map(), requests: [], keys: new Set(), ready: false, closing: false };
    worker.on('message', (answer: SigningAnswer | 'ready') => this.answered(thread, answer));
    worker.on('error', (err) => (thread.error = err));
    worker.on('exit', (code) => this.ended(thread, code));
    return thread;
  }

  private answered(thread: Thread, answer: SigningAnswer | 'ready'): void {
    if (answer === 'ready') {
      thread.ready = true;
      this.failedStarts = 0;
      return;
    }
    for (const { id, signature } of answer.signed) {
      const pending = thread.inFlight.get(id);
      thread.inFlight.delete(id);
      pending?.resolve(signature);
    }
    for (const { id, error } of answer.failed) {
      const pending = thread.inFlight.get(id);
      thread.inFlight.delete(id);
      pending?.reject(new Error(error));
    }
    clearTimeout(thread.requests.shift());
    if (thread.inFlight.size === 0) thread.worker.unref();
    this.schedule();
  }

  private ended(thread: Thread, code: number): void {
    this.threads = this.threads.filter((t) => t !== thread);
    const lost = [...thread.inFlight.values()];
    thread.inFlight.clear();
    for (const timer of thread.requests) clearTimeout(timer);
    // What waited for this thread goes to the others, or to the one that takes its place.
    this.schedule();
    if (thread.closing) {
      for (const p of lost) p.reject(new Error('the signing threads were closed'));
      return;
    }
    const why = thread.error ? thread.error.message : `exit status ${code}`;
    if (!thread.ready && ++this.failedStarts >= FAILED_STARTS) this.onLibuv = true;
    this.options.logger.error(
      { threadId: thread.worker.threadId, inFlight: lost.length, err: why, ...(this.onLibuv ? { signOn: "libuv's thread pool" } : {}) },
      this.onLibuv ? "signing threads cannot start: messages are signed on libuv's thread pool from now on" : 'signing thread ended: its messages in flight are retried, another thread takes its place',
    );
    for (const p of lost) p.reject(new Error(`the signing thread ended (${why})`));
  }
}
