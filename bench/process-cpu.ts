// The CPU a running child process spends, per thread: its event loop (the
// main thread, whose id is the process's) apart from the rest (the message
// threads, libuv's pool, V8's helpers). Read from /proc/PID/task/*/schedstat
// (nanoseconds on a CPU) while it runs, since nothing is left to read once it
// has exited: the last reading of each thread is kept.
import { readdirSync, readFileSync } from 'node:fs';

/** Keeps the latest CPU time of every thread of `pid`; `read()` as often as the caller polls. */
export class ThreadCpu {
  private readonly last = new Map<number, number>();

  constructor(private readonly pid: number) {}

  /** Takes a reading; a thread or process that is gone keeps its last one. */
  read(): void {
    let tids: string[];
    try {
      tids = readdirSync(`/proc/${this.pid}/task`);
    } catch {
      return;
    }
    for (const tid of tids) {
      try {
        this.last.set(Number(tid), Number(readFileSync(`/proc/${this.pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]));
      } catch {
        // Ended between the listing and the read: its last reading stands.
      }
    }
  }

  /** Every thread's CPU so far, ms, by thread id (the main thread's is the process id). */
  byThread(): Map<number, number> {
    return new Map([...this.last].map(([tid, ns]) => [tid, ns / 1e6]));
  }

  /** Milliseconds of CPU so far: the main thread (the event loop) and every thread together. */
  totals(): { loopMs: number; allMs: number } {
    let all = 0;
    for (const ns of this.last.values()) all += ns;
    return { loopMs: (this.last.get(this.pid) ?? 0) / 1e6, allMs: all / 1e6 };
  }
}
