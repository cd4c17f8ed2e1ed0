// The message threads: a pool of node:worker_threads (message-thread.ts) that
// build signed messages off the event loop. A signed message costs about
// 0.4 ms of a core, nine tenths of it the RSA signature; on the event loop,
// or on libuv's thread pool (whose four threads then take the cores from the
// loop at every signature), it held the SMTP connections back. Here the loop
// only hands the recipients over and writes the bytes that come back.
//
// - Sized by MESSAGE_THREADS, by default the cores but one, the event loop's
//   (`defaultMessageThreads`); 0 builds on the loop (message-builder.ts).
// - Started on the first signed message, kept across batches and sends,
//   ended by `close()` (the worker's stop, `send --wait`'s end). An idle
//   thread never holds the process open.
// - The recipients asked for while a thread is busy travel to it together in
//   one postMessage (`flush`), with the key and template it has not had yet
//   (each sent once per thread: the compiled template once per send); the
//   answer comes back the same way, each message's bytes transferred.
// - Unsigned messages are built on the loop: a thread's hand-over costs the
//   process more than their splice saves the loop (src/delivery/README.md).
// - A thread that ends (a crash, an exception), or answers nothing for 60 s
//   and is ended for it, fails its messages in flight with an error, which
//   the worker retries like any transport error, logs one line, and the next
//   message starts another. Threads that die before they could load, three in
//   a row, leave the building to the event loop.
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { DkimSigner } from './dkim.ts';
import type { MessageBuilder, MessageRecipient } from './message-builder.ts';
import type { MessageData } from './message-bytes.ts';
import type { ThreadAnswer, ThreadBuild, ThreadData, ThreadRequest } from './message-thread.ts';
import type { CompiledMessage } from './splice.ts';
import type { DeliveryLogger } from './worker-batch.ts';

/** The threads a process builds messages on by default: every core but the event loop's; none on one core. */
export function defaultMessageThreads(): number {
  return Math.max(0, availableParallelism() - 1);
}

export interface MessageThreadsOptions {
  /** How many threads (at least 1). */
  size: number;
  /** What the links are signed with and point at, and the Message-IDs' domain (audience-links.ts). */
  secret: string;
  publicUrl: string;
  mailDomain: string;
  logger: Pick<DeliveryLogger, 'warn' | 'error'>;
  /** Builds what the threads do not: unsigned messages, and every message once threads cannot start. */
  fallback: MessageBuilder;
  /** Build unsigned messages on the threads too (bench/message-build.ts weighs it). */
  unsigned?: boolean;
  /** How long a request may go unanswered before its thread is ended (default 60 s; a request takes milliseconds). */
  timeoutMs?: number;
}

/** Templates a thread keeps compiled; the least recently used beyond this is dropped. */
const TEMPLATES_PER_THREAD = 8;
/** Requests a thread may have in hand: one it builds, one waiting, so that it never waits for the event loop. */
const REQUESTS_PER_THREAD = 2;
/** Threads dying before they could load, in a row, after which the event loop builds. */
const FAILED_STARTS = 3;

// Built (dist/) the thread is message-thread.js; from source, tsx must be registered on the thread first.
const FROM_SOURCE = import.meta.url.endsWith('.ts');
const ENTRY = new URL(FROM_SOURCE ? './message-thread.ts' : './message-thread.js', import.meta.url);
const SOURCE_ENTRY = new URL('./message-thread-source.js', import.meta.url);

interface Pending {
  resolve(raw: MessageData): void;
  reject(err: Error): void;
}

interface Thread {
  worker: Worker;
  inFlight: Map<number, Pending>;
  /** One timer per request posted and not yet answered, oldest first (a thread answers in order). */
  requests: NodeJS.Timeout[];
  /** DKIM keys sent to it. */
  keys: Set<number>;
  /** Templates it holds, with when each was last used (a counter). */
  templates: Map<number, number>;
  ready: boolean;
  closing: boolean;
  error?: Error;
}

interface Queued {
  message: CompiledMessage;
  build: ThreadBuild;
  pending: Pending;
}

/** The pool; a MessageBuilder. */
export class MessageThreads implements MessageBuilder {
  private threads: Thread[] = [];
  private queue: Queued[] = [];
  private flushing = false;
  private readonly templateIds = new WeakMap<CompiledMessage, number>();
  private readonly keyIds = new WeakMap<DkimSigner, number>();
  private nextId = 1;
  private uses = 0;
  private failedStarts = 0;
  private onLoop = false;
  /** Requests posted to the threads and the messages they asked for: how well the hand-over coalesces. */
  readonly stats = { requests: 0, messages: 0 };

  private readonly timeoutMs: number;

  constructor(private readonly options: MessageThreadsOptions) {
    this.timeoutMs = options.timeoutMs ?? 60_000;
    if (!Number.isSafeInteger(options.size) || options.size < 1) throw new Error(`message threads: size must be at least 1 (got ${options.size})`);
  }

  /** The live threads (tests end one to see the pool replace it). */
  get workers(): readonly Worker[] {
    return this.threads.map((t) => t.worker);
  }

  build(message: CompiledMessage, recipient: MessageRecipient, now: number): Promise<MessageData> {
    if ((!message.signer && !this.options.unsigned) || this.onLoop) return this.options.fallback.build(message, recipient, now);
    return new Promise<MessageData>((resolve, reject) => {
      const { sendId, recipientId, publicationId, subscriberId, email } = recipient;
      const build: ThreadBuild = { id: this.nextId++, template: this.templateId(message), sendId, recipientId, publicationId, subscriberId, email, now };
      this.queue.push({ message, build, pending: { resolve, reject } });
      this.schedule();
    });
  }

  async close(): Promise<void> {
    const threads = this.threads;
    this.threads = [];
    const queue = this.queue;
    this.queue = [];
    for (const q of queue) q.pending.reject(new Error('the message threads were closed'));
    for (const t of threads) t.closing = true;
    await Promise.all(threads.map((t) => t.worker.terminate()));
  }

  private schedule(): void {
    if (this.flushing) return;
    this.flushing = true;
    // After the poll phase: every recipient asked for in this turn (one per SMTP reply read) goes in one message.
    setImmediate(() => this.flush());
  }

  /**
   * Hands what waits to the threads that have fewer than REQUESTS_PER_THREAD
   * requests in hand, in one request each; the rest waits for an answer. A
   * thread is thus never idle while there is work, and the recipients asked
   * for while it builds travel together: a few large requests and answers
   * rather than one per message, each of which costs both threads a wakeup.
   */
  private flush(): void {
    this.flushing = false;
    if (this.queue.length === 0) return;
    if (this.onLoop) {
      const queue = this.queue;
      this.queue = [];
      for (const q of queue) this.options.fallback.build(q.message, q.build, q.build.now).then(q.pending.resolve, q.pending.reject);
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
    const request: ThreadRequest = { builds: [] };
    for (const q of items) {
      this.equip(thread, request, q.message, q.build.template);
      request.builds.push(q.build);
      thread.inFlight.set(q.build.id, q.pending);
    }
    // A thread that answers nothing (it cannot, short of a fault) is ended like one that crashed.
    const timer = setTimeout(() => {
      thread.error ??= new Error(`no answer in ${this.timeoutMs} ms`);
      void thread.worker.terminate();
    }, this.timeoutMs);
    timer.unref();
    thread.requests.push(timer);
    this.stats.requests++;
    this.stats.messages += request.builds.length;
    thread.worker.ref();
    thread.worker.postMessage(request);
  }

  /** Adds to the request the key and template the thread lacks for this message, dropping its least used template when it holds too many. */
  private equip(thread: Thread, request: ThreadRequest, message: CompiledMessage, template: number): void {
    const signer = message.signer;
    let key = signer && this.keyIds.get(signer);
    if (signer && key === undefined) this.keyIds.set(signer, (key = this.nextId++));
    if (signer && key !== undefined && !thread.keys.has(key)) {
      thread.keys.add(key);
      (request.keys ??= []).push({ id: key, key: signer.settings });
    }
    if (!thread.templates.has(template)) {
      if (thread.templates.size >= TEMPLATES_PER_THREAD) {
        let oldest: number | undefined;
        for (const [id, used] of thread.templates) {
          if (request.builds.some((b) => b.template === id)) continue;
          if (oldest === undefined || used < thread.templates.get(oldest)!) oldest = id;
        }
        if (oldest !== undefined) {
          thread.templates.delete(oldest);
          (request.forget ??= []).push(oldest);
        }
      }
      (request.templates ??= []).push({ id: template, template: message.template, key });
    }
    thread.templates.set(template, ++this.uses);
  }

  private templateId(message: CompiledMessage): number {
    let id = this.templateIds.get(message);
    if (id === undefined) this.templateIds.set(message, (id = this.nextId++));
    return id;
  }

  private start(): Thread {
    const data: ThreadData = { secret: this.options.secret, publicUrl: this.options.publicUrl, mailDomain: this.options.mailDomain };
    // A CPU profile of the process (--cpu-prof) covers its threads too; nothing else of the process's flags applies here.
    const execArgv = process.execArgv.filter((a) => a.startsWith('--cpu-prof'));
    const worker = FROM_SOURCE ? new Worker(SOURCE_ENTRY, { workerData: { ...data, entry: ENTRY.href }, execArgv }) : new Worker(ENTRY, { workerData: data, execArgv });
    worker.unref();
    const thread: Thread = { worker, inFlight: new Map(), requests: [], keys: new Set(), templates: new Map(), ready: false, closing: false };
    worker.on('message', (answer: ThreadAnswer | 'ready') => this.answered(thread, answer));
    worker.on('error', (err) => (thread.error = err));
    worker.on('exit', (code) => this.ended(thread, code));
    return thread;
  }

  private answered(thread: Thread, answer: ThreadAnswer | 'ready'): void {
    if (answer === 'ready') {
      thread.ready = true;
      this.failedStarts = 0;
      return;
    }
    for (const { id, raw } of answer.built) {
      const pending = thread.inFlight.get(id);
      thread.inFlight.delete(id);
      pending?.resolve(Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength));
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
      for (const p of lost) p.reject(new Error('the message threads were closed'));
      return;
    }
    const why = thread.error ? thread.error.message : `exit status ${code}`;
    if (!thread.ready && ++this.failedStarts >= FAILED_STARTS) this.onLoop = true;
    this.options.logger.error(
      { threadId: thread.worker.threadId, inFlight: lost.length, err: why, ...(this.onLoop ? { buildOn: 'event loop' } : {}) },
      this.onLoop ? 'message threads cannot start: messages are built on the event loop from now on' : 'message thread ended: its messages in flight are retried, another thread takes its place',
    );
    for (const p of lost) p.reject(new Error(`the message thread ended (${why})`));
  }
}
