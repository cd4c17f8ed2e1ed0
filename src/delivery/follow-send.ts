// `send --wait`: the command delivers its own send as a worker until every
// recipient has a final state (other workers may help meanwhile), reporting
// progress as it goes. A send scheduled for later is waited for, then started.
// Two batches are in flight at once, as in `matinale worker` (while one
// batch's results are recorded and the next claimed, the other keeps the SMTP
// connections busy), and the progress is read from the ledger on a timer, not
// after every batch: counting a million rows per batch of 200 would cost more
// than the send.
import type { Store } from '../store/db.ts';
import { retryWhileDown } from '../store/outages.ts';
import { getSend } from '../store/sends.ts';
import { sendProgress, type SendProgress } from './progress.ts';
import { startDueSends } from './sends.ts';
import { finishIfComplete } from './send-start.ts';
import { deliveryWorker, type deliveryParts } from './worker.ts';
import type { WorkerPolicy } from './worker-batch.ts';
import { realSleep, type Sleep } from './rate-limit.ts';

export interface FollowOptions {
  store: Store;
  parts: ReturnType<typeof deliveryParts>;
  sendId: number;
  workerId: string;
  onProgress: (p: SendProgress) => void;
  /** Over the parts' policy (the operator's settings over delivery's defaults). */
  policy?: Partial<WorkerPolicy>;
  /** Over the parts' grace period (SEND_GRACE, else DEFAULT_GRACE_MS). */
  graceMs?: number;
  /** Sleep between polls when rows wait for a retry or another worker (default 1 s). */
  pollMs?: number;
  /** How often the progress is read and reported while batches run (default 2 s: a count over every row of the send). */
  progressMs?: number;
  /** Batches in flight at once (default 2). */
  lanes?: number;
  sleep?: Sleep;
}

/** Delivers the send until it is done, paused, missed or cancelled; returns its final progress. */
export async function followSend(o: FollowOptions): Promise<SendProgress> {
  const { clock } = o.parts;
  const sleep = o.sleep ?? realSleep;
  const worker = deliveryWorker(o.store, o.parts, o.workerId, o.policy);
  // Each of these may run twice (reads, and writes guarded by the send's
  // status), and the worker's ledger retries its own: the command rides out a
  // database restart instead of failing with the send half done.
  const again = <T>(work: () => Promise<T>) => retryWhileDown(o.store, work);
  for (;;) {
    const send = await again(() => getSend(o.store, o.sendId));
    if (!send) throw new Error(`no send ${o.sendId}`);
    if (send.status === 'scheduled') {
      const wait = send.scheduled_for - clock.now();
      if (wait > 0) {
        o.onProgress((await again(() => sendProgress(o.store, o.sendId, clock.now())))!);
        await sleep(Math.min(wait, 60_000));
        continue;
      }
      await again(() => startDueSends(o.parts.sendDeps, o.graceMs ?? o.parts.graceMs));
      continue;
    }
    // A batch may run again: its claim is the only step not retried inside.
    const handled = send.status === 'running' ? await deliverWhileDue(o, () => again(() => worker.runBatch({ sendId: o.sendId }))) : 0;
    let progress = (await again(() => sendProgress(o.store, o.sendId, clock.now())))!;
    if (progress.status === 'running' && progress.remaining === 0 && handled === 0) {
      // Nothing left and no batch of ours to close it (a send started empty
      // by an older version, or whose last batch ended elsewhere): end it here.
      await again(() => finishIfComplete(o.store, o.sendId, clock.now()));
      progress = (await again(() => sendProgress(o.store, o.sendId, clock.now())))!;
    }
    o.onProgress(progress);
    if (progress.status !== 'running') {
      // A batch claimed ahead for a send that stopped goes back now, not when its lease ends.
      await worker.close();
      return progress;
    }
    if (handled === 0) await sleep(o.pollMs ?? 1000);
  }
}

/**
 * Runs batches of the send on `lanes` lanes until a claim finds nothing due,
 * reporting the progress every `progressMs` meanwhile; returns the rows handled.
 */
async function deliverWhileDue(o: FollowOptions, runBatch: () => Promise<number>): Promise<number> {
  let handled = 0;
  let reading: Promise<void> | undefined;
  const timer = setInterval(() => {
    // One reading at a time: a slow count is not stacked on itself.
    reading ??= sendProgress(o.store, o.sendId, o.parts.clock.now())
      .then((p) => p && o.onProgress(p))
      .catch(() => {})
      .finally(() => (reading = undefined));
  }, o.progressMs ?? 2000);
  try {
    const lane = async () => {
      for (;;) {
        const n = await runBatch();
        handled += n;
        if (n === 0) return;
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, o.lanes ?? 2) }, lane));
  } finally {
    clearInterval(timer);
    await reading;
  }
  return handled;
}
