// Whether the sends a worker is delivering are still running. A send is
// paused (by the error-rate window of any worker, or by the newsroom),
// cancelled or failed in the ledger, where every worker must see it: the
// batch that paused it used to be the only one to stop, while the other
// batches of every worker went on sending their rows (658 messages in the
// 20 s after a pause). A worker's watch asks the ledger, every `everyMs`
// while it has batches in flight, which of their sends still run, and aborts
// the signal of each that does not: every message of it still waiting (for a
// rate token, for a connection) is dropped, and no more are started.
import { NotSent } from './transport.ts';

/** What the watch reads: which of these sends still run. */
export interface SendStatuses {
  runningAmong(sendIds: readonly number[]): Promise<number[]>;
}

interface Watched {
  /** Batches in flight with rows of this send. */
  batches: number;
  controller: AbortController;
}

/** The sends of one worker's batches in flight, and a stop signal for each. */
export class SendWatch {
  private readonly sends = new Map<number, Watched>();
  private timer: ReturnType<typeof setInterval> | undefined;
  private checking = false;

  constructor(
    private readonly statuses: SendStatuses,
    private readonly everyMs: number,
    /** Told once per send stopped, with why (the worker forgets its message). */
    private readonly onStopped: (sendId: number, why: string) => void,
    private readonly onError: (err: Error) => void,
  ) {}

  /** A batch with rows of `sendId` starts: the signal that stops them. `leave` when it ends. */
  enter(sendId: number): AbortSignal {
    let w = this.sends.get(sendId);
    // Stopped, yet claimed again: it was resumed meanwhile, and runs with a new signal.
    if (!w || w.controller.signal.aborted) {
      w = { batches: w?.batches ?? 0, controller: new AbortController() };
      this.sends.set(sendId, w);
    }
    w.batches++;
    this.timer ??= setInterval(() => void this.check(), this.everyMs);
    this.timer.unref();
    return w.controller.signal;
  }

  leave(sendId: number): void {
    const w = this.sends.get(sendId);
    if (!w || --w.batches > 0) return;
    this.sends.delete(sendId);
    if (this.sends.size === 0) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }

  /** Stops the send in this worker at once (it paused the send itself, or found it no longer running). */
  stop(sendId: number, why: string): void {
    const w = this.sends.get(sendId);
    if (w && !w.controller.signal.aborted) w.controller.abort(new NotSent(`send ${sendId} stopped: ${why}`));
    this.onStopped(sendId, why);
  }

  /** One look at the ledger; the stopped sends' signals are aborted. */
  async check(): Promise<void> {
    if (this.checking) return;
    const asked = new Map([...this.sends].filter(([, w]) => !w.controller.signal.aborted).map(([id, w]) => [id, w.controller]));
    if (asked.size === 0) return;
    this.checking = true;
    try {
      const running = new Set(await this.statuses.runningAmong([...asked.keys()]));
      for (const [id, controller] of asked) {
        // A send resumed and claimed again while the answer came has a new signal: the answer is older than it.
        if (!running.has(id) && this.sends.get(id)?.controller === controller) this.stop(id, 'no longer running (paused, cancelled or failed)');
      }
    } catch (err) {
      // The next look may answer; until then the sends go on as they were.
      this.onError(err as Error);
    } finally {
      this.checking = false;
    }
  }
}
