// The messages waiting for a relay's connection, in order, each dropped at
// once when its signal aborts (its send stopped, its batch's lease was lost).
// The signal is a batch's, shared by its messages: it is listened to once
// while any of them waits, not once per message. An abort listener per
// message cost more than the rest of its wait (Node's EventTarget, on a
// composite AbortSignal), and most messages wait: a batch runs more lanes
// than the relay has connections.

/** One message waiting: what gets it the connection, or the reason it will not get one. */
export interface Waiter<T> {
  signal?: AbortSignal;
  resolve(value: T): void;
  reject(reason: unknown): void;
}

export class WaitQueue<T> {
  private waiters: Array<Waiter<T>> = [];
  /** Each signal of a waiting message, with how many of them wait and its listener. */
  private readonly signals = new Map<AbortSignal, { waiting: number; abort: () => void }>();

  get length(): number {
    return this.waiters.length;
  }

  /** Adds a waiter, last, or first when it goes ahead of the others (transactional mail). */
  add(waiter: Waiter<T>, first = false): void {
    const { signal } = waiter;
    if (signal) {
      let watched = this.signals.get(signal);
      if (!watched) {
        const abort = () => this.dropAborted(signal);
        signal.addEventListener('abort', abort, { once: true });
        watched = { waiting: 0, abort };
        this.signals.set(signal, watched);
      }
      watched.waiting++;
    }
    if (first) this.waiters.unshift(waiter);
    else this.waiters.push(waiter);
  }

  /** The first waiter, out of the queue: its signal no longer drops it. */
  next(): Waiter<T> | undefined {
    const waiter = this.waiters.shift();
    if (waiter) this.forget(waiter.signal);
    return waiter;
  }

  /** Every waiter, out of the queue. */
  takeAll(): Array<Waiter<T>> {
    const all = this.waiters;
    this.waiters = [];
    for (const w of all) this.forget(w.signal);
    return all;
  }

  private forget(signal: AbortSignal | undefined): void {
    if (!signal) return;
    const watched = this.signals.get(signal);
    if (!watched || --watched.waiting > 0) return;
    this.signals.delete(signal);
    // A composite signal (AbortSignal.any) with a listener is held by Node until it aborts: the listener goes with its last waiter.
    signal.removeEventListener('abort', watched.abort);
  }

  private dropAborted(signal: AbortSignal): void {
    this.signals.delete(signal);
    const dropped = this.waiters.filter((w) => w.signal === signal);
    this.waiters = this.waiters.filter((w) => w.signal !== signal);
    for (const w of dropped) w.reject(signal.reason);
  }
}
