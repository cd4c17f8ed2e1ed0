// One round of a delivery worker: claims a batch of ledger rows under a lease,
// keeps the lease while it works (lease.ts: checked before each message,
// renewed when half spent; a lease found taken stops the batch), splices and
// signs each recipient's message, submits it, and records every result in one
// transaction per batch, for the rows it still holds. Temporary
// failures go back to pending with a backoff; 5xx bounces suppress the address;
// a send whose error share crosses the threshold is paused. Locking, retry
// policy, the error window, transport and ledger each live in their own module.
import { setMaxListeners } from 'node:events';
import type { Clock } from '../clock.ts';
import type { DkimSigner } from './dkim.ts';
import { ErrorRateWindow, DEFAULT_ERROR_RATE_POLICY, type ErrorRatePolicy } from './error-rate.ts';
import { BatchLease } from './lease.ts';
import type { ClaimedRecipient, Ledger, Outcome } from './ledger.ts';
import { recipientValues, type RecipientLinks } from './recipient-values.ts';
import { DEFAULT_RETRY_POLICY, nextAttemptAt, type RetryPolicy } from './retry-policy.ts';
import type { ReturnPaths } from './return-path.ts';
import { SendWatch } from './send-watch.ts';
import { compileMessage, spliceMessage, type CompiledMessage } from './splice.ts';
import { NotSent, type SubmitResult, type Transport } from './transport.ts';

/** Where a bounced address goes: the publication's suppression list (audience). */
export interface Suppressor {
  suppress(publicationId: number, email: string, details: Record<string, unknown>): Promise<void>;
}

/**
 * Which rows of a batch may no longer be mailed: their reader unsubscribed,
 * was suppressed or erased since the claim (which checked the same at claim time).
 */
export interface Recheck {
  /** The rows among `ids` whose reader left; reads only. */
  goneAmong(ids: readonly number[]): Promise<number[]>;
  /** Sets `suppressed` those of `ids` still gone and still held by this worker; returns them. */
  setSuppressed(workerId: string, ids: readonly number[], now: number): Promise<number[]>;
}

/** Structured logs: one line per batch, one summary per send. */
export interface DeliveryLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface WorkerPolicy {
  batchSize: number;
  leaseMs: number;
  retry: RetryPolicy;
  errorRate: ErrorRatePolicy;
  /**
   * How old the batch's last look at unsubscribes and suppressions (the claim
   * is the first) may be before a message: older, and the untried rows are
   * checked again, in one query, before it goes out.
   */
  recheckMs: number;
  /**
   * How often a worker with batches in flight asks whether their sends still
   * run: a pause, cancel or failure stops every lane of every worker within it.
   */
  statusCheckMs: number;
}

export const DEFAULT_WORKER_POLICY: WorkerPolicy = {
  batchSize: 200,
  leaseMs: 60_000,
  retry: DEFAULT_RETRY_POLICY,
  errorRate: DEFAULT_ERROR_RATE_POLICY,
  recheckMs: 2_000,
  statusCheckMs: 500,
};

export interface WorkerDeps {
  workerId: string;
  ledger: Ledger;
  transport: Transport;
  links: RecipientLinks;
  clock: Clock;
  logger: DeliveryLogger;
  /** Domain of Message-IDs and of the VERP return path. */
  mailDomain: string;
  dkim?: DkimSigner;
  /** Signs the VERP envelope sender, so that the inbound handler trusts the bounce reports that come back to it. */
  returnPaths: ReturnPaths;
  suppressor?: Suppressor;
  /** Absent: only the claim checks for readers who left. */
  recheck?: Recheck;
  policy?: Partial<WorkerPolicy>;
  random?: () => number;
}

/** A worker; `runBatch` does one claim-send-record round. */
export class DeliveryWorker {
  private readonly policy: WorkerPolicy;
  private readonly errors: ErrorRateWindow;
  private readonly messages = new Map<number, { compiled: CompiledMessage; startedAt: number; kind: string }>();
  private readonly watch: SendWatch;

  constructor(private readonly deps: WorkerDeps) {
    this.policy = { ...DEFAULT_WORKER_POLICY, ...deps.policy };
    this.errors = new ErrorRateWindow(this.policy.errorRate);
    this.watch = new SendWatch(
      deps.ledger,
      this.policy.statusCheckMs,
      (sendId) => {
        // Read again from the ledger if the send is resumed, with its status.
        this.messages.delete(sendId);
        this.errors.forget(sendId);
      },
      (err) => deps.logger.warn({ worker: deps.workerId, err: err.message }, 'could not check whether the sends still run'),
    );
  }

  /** Claims and delivers one batch; returns how many rows it handled (0: nothing due). */
  async runBatch(options: { sendId?: number } = {}): Promise<number> {
    const { ledger, clock, workerId } = this.deps;
    const started = clock.now();
    const rows = await ledger.claim({ workerId, now: started, leaseMs: this.policy.leaseMs, limit: this.policy.batchSize, sendId: options.sendId });
    if (rows.length === 0) return 0;

    const lease = new BatchLease(
      {
        ledger,
        workerId,
        clock,
        leaseMs: this.policy.leaseMs,
        onRenewalError: (err) => this.deps.logger.warn({ worker: workerId, err: err.message }, 'lease renewal failed'),
      },
      rows.map((r) => r.id),
      started,
    );
    lease.start();
    const results: Outcome[] = [];
    const attempted = new Set<number>();
    const sendIds = [...new Set(rows.map((r) => r.sendId))];
    // Per send, what stops its rows here: the lease lost, or the send no longer running.
    const lanes = Math.max(1, this.deps.transport.concurrency * 2);
    const stops = new Map(
      sendIds.map((id) => {
        const stop = AbortSignal.any([lease.signal, this.watch.enter(id)]);
        // Each lane waiting in the transport listens to it: more than Node's default 10 is expected, not a leak.
        setMaxListeners(lanes + 10, stop);
        return [id, stop];
      }),
    );
    const left = new ReadersWhoLeft(this.deps.recheck, clock, this.policy.recheckMs, started, (err) =>
      this.deps.logger.warn({ worker: workerId, err: err.message }, 'recheck of unsubscribes failed'),
    );
    try {
      await mapLimit(rows, lanes, async (row) => {
        const stop = stops.get(row.sendId)!;
        // Never send for a row this worker may no longer hold: another worker may have it.
        if (stop.aborted || !(await lease.mayDeliver(row.id))) return;
        // Nor to a reader who left while the batch was under way.
        await left.refresh(() => rows.filter((r) => !attempted.has(r.id)).map((r) => r.id));
        if (left.has(row.id) || stop.aborted) return;
        attempted.add(row.id);
        const outcome = await this.deliver(row, lease, stop);
        // Dropped before it was written: untried, given back below if still held.
        if (outcome) results.push(outcome);
        else attempted.delete(row.id);
      });
    } finally {
      lease.stop();
      for (const id of sendIds) this.watch.leave(id);
    }
    const now = clock.now();
    // Record nothing for rows that another worker claimed; give back the untried ones still held.
    const outcomes = results.filter((o) => lease.holds(o.id));
    await ledger.record(workerId, outcomes, now);
    // Readers who left are recorded now, so that the send can finish with this batch.
    const leftHeld = rows.filter((r) => left.has(r.id) && lease.holds(r.id)).map((r) => r.id);
    const suppressed = new Set(leftHeld.length ? await this.deps.recheck!.setSuppressed(workerId, leftHeld, now) : []);
    const untried = rows.filter((r) => !attempted.has(r.id) && !suppressed.has(r.id) && lease.holds(r.id)).map((r) => r.id);
    if (untried.length) await ledger.release(workerId, untried, now);
    if (lease.lost) {
      this.deps.logger.warn({ worker: workerId, claimed: rows.length, attempted: attempted.size, released: untried.length }, 'lease lost: batch stopped');
    }
    await this.suppressBounces(rows, outcomes);

    const tally = { sent: 0, bounced: 0, failed: 0, retry: 0 };
    for (const o of outcomes) tally[o.state]++;
    this.deps.logger.info(
      { worker: workerId, sends: sendIds, claimed: rows.length, ...tally, ...(suppressed.size ? { suppressed: suppressed.size } : {}), ms: now - started, transport: this.deps.transport.description },
      'delivery batch',
    );
    for (const sendId of sendIds) {
      if (await ledger.finishIfComplete(sendId, now)) {
        this.messages.delete(sendId);
        this.errors.forget(sendId);
        const counts = await ledger.counts(sendId);
        this.deps.logger.info({ send: sendId, ...counts }, 'send finished');
      }
    }
    return rows.length;
  }

  /** One row's attempt; undefined when nothing was written (the send stopped, the lease lost). */
  private async deliver(row: ClaimedRecipient, lease: BatchLease, stop: AbortSignal): Promise<Outcome | undefined> {
    const { clock, mailDomain } = this.deps;
    const message = await this.messageOf(row.sendId);
    const values = recipientValues(
      this.deps.links,
      { sendId: row.sendId, recipientId: row.id, publicationId: row.publicationId, subscriberId: row.subscriberId, email: row.email },
      mailDomain,
      clock.now(),
    );
    if (!message) {
      // The send was paused, cancelled or failed meanwhile: the row waits, untouched by this attempt.
      this.watch.stop(row.sendId, 'no longer running');
      return undefined;
    }
    let result: SubmitResult;
    try {
      const raw = spliceMessage(message.compiled, values, clock.now());
      result = await this.deps.transport.submit(
        { from: this.deps.returnPaths.addressFor(row.sendId, row.id), to: row.email, raw, messageId: values.messageId },
        // Asked again after the transport's waits (a rate token, a connection, a stopped process), right before writing.
        {
          signal: stop,
          mayWrite: async () => !stop.aborted && (await lease.mayDeliver(row.id)) && !stop.aborted,
          mayWriteBody: () => !stop.aborted && lease.stillHolds(row.id),
        },
      );
    } catch (err) {
      if (err instanceof NotSent) return undefined;
      result = { ok: false, permanent: false, code: null, response: `error: ${(err as Error).message}` };
    }
    const now = clock.now();
    const base = { id: row.id, messageId: values.messageId, code: result.code, response: result.response };
    let outcome: Outcome;
    if (result.ok) outcome = { ...base, state: 'sent', code: result.code };
    else if (result.permanent) outcome = { ...base, state: 'bounced' };
    else {
      const at = nextAttemptAt(this.policy.retry, row.attempts, now, message.startedAt, this.deps.random);
      outcome = at === null ? { ...base, state: 'failed' } : { ...base, state: 'retry', nextAttemptAt: at };
    }
    const reason = this.errors.record(row.sendId, !result.ok, now);
    if (reason) {
      // Every lane of this worker stops now; the other workers' watches see the pause within statusCheckMs.
      this.watch.stop(row.sendId, reason);
      if (await this.deps.ledger.pause(row.sendId, reason, now)) this.deps.logger.warn({ send: row.sendId, reason }, 'send paused');
    }
    return outcome;
  }

  private async messageOf(sendId: number) {
    let m = this.messages.get(sendId);
    if (!m) {
      const send = await this.deps.ledger.sendForDelivery(sendId);
      if (!send || send.status !== 'running') return undefined;
      m = { compiled: compileMessage(send.template, this.deps.dkim), startedAt: send.startedAt, kind: send.kind };
      this.messages.set(sendId, m);
    }
    return m;
  }

  private async suppressBounces(rows: ClaimedRecipient[], outcomes: Outcome[]): Promise<void> {
    const { suppressor } = this.deps;
    if (!suppressor) return;
    const byId = new Map(rows.map((r) => [r.id, r]));
    for (const o of outcomes) {
      const row = byId.get(o.id)!;
      if (o.state !== 'bounced' || row.subscriberId === null) continue;
      try {
        await suppressor.suppress(row.publicationId, row.email, { send: row.sendId, code: o.code, response: o.response });
      } catch (err) {
        this.deps.logger.error({ send: row.sendId, recipient: row.id, err: (err as Error).message }, 'could not suppress a bounced address');
      }
    }
  }
}

/**
 * The rows of one batch whose reader left since the claim. The claim looked
 * at the subscriptions and the suppression list; this looks again once that
 * look is older than `maxAgeMs`, in one query for the rows not yet tried, so
 * that a slow batch does not mail someone who unsubscribed (or bounced, or
 * complained) a minute ago. Lanes share one query in flight.
 */
class ReadersWhoLeft {
  private readonly gone = new Set<number>();
  private checking: Promise<void> | undefined;

  constructor(
    private readonly recheck: Recheck | undefined,
    private readonly clock: Clock,
    private readonly maxAgeMs: number,
    private checkedAt: number,
    private readonly onError: (err: Error) => void,
  ) {}

  has(id: number): boolean {
    return this.gone.has(id);
  }

  refresh(untried: () => number[]): Promise<void> {
    const recheck = this.recheck;
    if (!recheck || this.clock.now() - this.checkedAt < this.maxAgeMs) return Promise.resolve();
    this.checking ??= (async () => {
      const at = this.clock.now();
      try {
        const ids = untried().filter((id) => !this.gone.has(id));
        if (ids.length) for (const id of await recheck.goneAmong(ids)) this.gone.add(id);
      } catch (err) {
        // The claim's look stands; asked again only after another `maxAgeMs`, not before every message.
        this.onError(err as Error);
      }
      this.checkedAt = at;
    })().finally(() => {
      this.checking = undefined;
    });
    return this.checking;
  }
}

/** Runs `fn` over `items` with at most `limit` at a time. */
async function mapLimit<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await fn(items[next++]!);
  });
  await Promise.all(lanes);
}
