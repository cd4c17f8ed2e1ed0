// A send's message rendered on a thread of its own (render-thread.ts), which
// the `send` command starts before it loads anything else: the thread loads
// the renderers and MJML on another core while the command loads its modules,
// opens the store, creates the send and snapshots its recipients, instead of
// after all that, on the event loop (about 0.45 s of the command's start on a
// quiet machine). Whatever goes wrong with the thread, the message is
// rendered here instead, as without it: only an edition that cannot be
// rendered fails the send, with the same error.
import type { Worker } from 'node:worker_threads';
import type { RenderAnswer, SendMessageInput } from './message-render.ts';
import type { MessageTemplate } from './message-template.ts';
import { startThread } from './thread-start.ts';

/** One render thread, for the message of the send a command starts. */
export class RenderThread {
  private readonly worker: Worker;
  /** Why the thread cannot answer, once it ended or failed. */
  private broken: Error | undefined;
  private waiting: ((answer: RenderAnswer | Error) => void) | undefined;

  private constructor() {
    this.worker = startThread('render-thread');
    // An idle thread never holds the process open.
    this.worker.unref();
    this.worker.on('message', (answer: RenderAnswer) => this.answered(answer));
    this.worker.on('error', (err) => this.answered(err));
    this.worker.on('exit', (code) => this.answered(new Error(`the render thread ended (exit status ${code})`)));
  }

  /** Starts the thread, which begins loading the renderers at once; undefined when no thread can be started (the message is then rendered on the event loop). */
  static start(): RenderThread | undefined {
    try {
      return new RenderThread();
    } catch {
      return undefined;
    }
  }

  /** The message of a send, rendered on the thread (here if the thread cannot). */
  async render(input: SendMessageInput): Promise<MessageTemplate> {
    const answer = this.broken ?? (await this.ask(input));
    if (!(answer instanceof Error) && 'template' in answer) return answer.template;
    const { MessageBuildError, renderSendMessage } = await import('./message-render.ts');
    if (!(answer instanceof Error) && answer.build) throw new MessageBuildError(answer.error);
    // The thread could not render (it ended, a module would not load): as without it.
    return renderSendMessage(input);
  }

  /** Ends the thread (its renderers and MJML with it): the message is made once per send. */
  async close(): Promise<void> {
    this.broken ??= new Error('the render thread was closed');
    await this.worker.terminate();
  }

  private ask(input: SendMessageInput): Promise<RenderAnswer | Error> {
    if (this.waiting) throw new Error('the render thread renders one message at a time');
    return new Promise((resolve) => {
      this.waiting = resolve;
      this.worker.ref();
      this.worker.postMessage(input);
    });
  }

  private answered(answer: RenderAnswer | Error): void {
    if (answer instanceof Error) this.broken ??= answer;
    const waiting = this.waiting;
    this.waiting = undefined;
    this.worker.unref();
    waiting?.(answer);
  }
}
