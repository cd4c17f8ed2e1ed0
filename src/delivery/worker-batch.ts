// One round of a delivery worker: claims a batch of ledger rows under a lease
// (or takes the one claimed ahead while the last messages of the previous
// batch were on the wire), keeps the lease while it works (lease.ts: checked
// before each message, renewed when half spent; a lease found taken stops the
// batch), splices and signs each recipient's message, submits it, and records
// every result in one transaction per batch, for the rows it still holds. The
// retry policy judges each refusal: temporary failures go back to pending with
// a backoff; a reader's bounce suppresses the address; a refusal of the send
// fails the row (resendable) and pauses the send, as does an error share
// surely over the threshold. Locking, retry policy, the error window,
// transport and ledger each live in their own module.
import { setMaxListeners } from 'node:events';
import type { Clock } from '../clock.ts';
import type { DkimSigner } from './dkim.ts';
import { BatchOutcomes } from './attempt-outcome.ts';
import { ErrorRateWindow, DEFAULT_ERROR_RATE_POLICY, type ErrorRatePolicy } from './error-rate.ts';
import { ClaimsAhead, type Claim } from './claims-ahead.ts';
import { BatchLease } from './lease.ts';
import type { ClaimedRecipient, Ledger, Outcome } from './ledger.ts';
import { messageBuilder, type MessageBuilder } from './message-builder.ts';
import { messageIdFor, type RecipientLinks } from './recipient-values.ts';
import { relayRefusalFor } from './relay-fit.ts';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from './retry-policy.ts';
import type { ReturnPaths } from './return-path.ts';
import { ReadersWhoLeft, type Recheck } from './readers-who-left.ts';
export type { Recheck } from './readers-who-left.ts';
import { SendWatch } from './send-watch.ts';
import { compileMessage, type CompiledMessage } from './splice.ts';
import { NotSent, type SubmitResult, type Transport } from './transport.ts';

/** Where a bounced address goes: the publication's suppression list (audience). */
export interface Suppressor {
  suppress(publicationId: number, email: string, details: Record<string, unknown>): Promise<void>;
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
  /** Builds each recipient's message; default: with `links`, signed on libuv's thread pool. */
  builder?: MessageBuilder;
  /** Signs the VERP envelope sender, so that the inbound handler trusts the bounce reports that come back to it. */
  returnPaths: ReturnPaths;
  suppressor?: Suppressor;
  /** Absent: only the claim checks for readers who left. */
  recheck?: Recheck;
  policy?: Partial<WorkerPolicy>;
  random?: () => number;
}

/** What the lanes of one batch share. */
interface BatchState {
  /** Sends paused (or found no longer running) during the batch: their rows wait. */
  paused: Set<number>;
  outcomes: BatchOutcomes;
}

/** A worker; `runBatch` does one claim-send-record round. */
export class DeliveryWorker {
  private readonly policy: WorkerPolicy;
  private readonly errors: ErrorRateWindow;
  private readonly messages = new Map<number, { compiled: CompiledMessage; startedAt: number; kind: string; fitsRelays?: boolean }>();
  private readonly watch: SendWatch;
  private readonly builder: MessageBuilder;
  private readonly claims: ClaimsAhead;

  constructor(private readonly deps: WorkerDeps) {
    this.policy = { ...DEFAULT_WORKER_POLICY, ...deps.policy };
    this.builder = deps.builder ?? messageBuilder(deps.links, deps.mailDomain);
    this.claims = new ClaimsAhead(deps.ledger, { workerId: deps.workerId, leaseMs: this.policy.leaseMs, limit: this.policy.batchSize }, deps.clock);
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

  /**
   * Claims and delivers one batch; returns how many rows it handled (0: nothing
   * due). Once the last rows of a full batch are handed to the transport, the
   * next batch is claimed meanwhile, for the next call to take at once: the
   * claim's round trip is spent while the connections still have messages to
   * write, not after. `close` gives back a batch claimed ahead that no call took.
   */
  async runBatch(options: { sendId?: number } = {}): Promise<number> {
    return this.claims.batch(options.sendId, (claim) => this.deliverBatch(options, claim));
  }

  /** Gives back a batch claimed ahead that no runBatch took (pending again, its attempt not counted); none is claimed ahead after. */
  close(): Promise<void> {
    return this.claims.close();
  }

  private async deliverBatch(options: { sendId?: number }, claim: Claim): Promise<number> {
    const { ledger, clock, workerId } = this.deps;
    const { rows, claimedAt: started } = claim;
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
    const refused = await this.sendsRelaysRefuse(rows);
    const results: Outcome[] = [];
    const attempted = new Set<number>();
    const batch: BatchState = { paused: new Set(), outcomes: new BatchOutcomes(this.policy.retry, this.deps.random) };
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
    // A full batch says more rows are likely due: the next claim goes out once this one's last row is handed over.
    const whenAllStarted = rows.length >= this.policy.batchSize ? () => this.claims.claimAhead(options.sendId) : undefined;
    try {
      await mapLimit(
        rows,
        lanes,
        async (row) => {
          const stop = stops.get(row.sendId)!;
          // Paused before any of its readers was tried: the rows go back untouched.
          if (refused.has(row.sendId)) return;
          // Never send for a row this worker may no longer hold: another worker may have it.
          if (stop.aborted || !(await lease.mayDeliver(row.id))) return;
          // Nor to a reader who left while the batch was under way.
          await left.refresh(() => rows.filter((r) => !attempted.has(r.id)).map((r) => r.id));
          if (left.has(row.id) || stop.aborted) return;
          attempted.add(row.id);
          const outcome = await this.deliver(row, batch, lease, stop);
          // Dropped before it was written: untried, given back below if still held.
          if (outcome) results.push(outcome);
          else attempted.delete(row.id);
        },
        whenAllStarted,
      );
    } finally {
      lease.stop();
      for (const id of sendIds) this.watch.leave(id);
    }
    const now = clock.now();
    // Record nothing for rows that another worker claimed; give back the untried ones still held.
    const outcomes = batch.outcomes.settled(results, now).filter((o) => lease.holds(o.id));
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
  private async deliver(row: ClaimedRecipient, batch: BatchState, lease: BatchLease, stop: AbortSignal): Promise<Outcome | undefined> {
    const { clock, mailDomain } = this.deps;
    const { paused } = batch;
    const message = await this.messageOf(row.sendId);
    const messageId = messageIdFor(row.sendId, row.id, mailDomain);
    if (!message || paused.has(row.sendId)) {
      // The send was paused, cancelled or failed meanwhile: the row waits, untouched by this attempt.
      if (!message) this.watch.stop(row.sendId, 'no longer running');
      return undefined;
    }
    let result: SubmitResult;
    try {
      // Signed off the event loop (signing threads): the other lanes keep the connections writing meanwhile.
      const raw = await this.builder.build(message.compiled, { sendId: row.sendId, recipientId: row.id, publicationId: row.publicationId, subscriberId: row.subscriberId, email: row.email }, clock.now());
      result = await this.deps.transport.submit(
        { from: this.deps.returnPaths.addressFor(row.sendId, row.id), to: row.email, raw, messageId },
        // Asked again after the transport's waits (a rate token, a connection, a stopped process), right before writing.
        {
          signal: stop,
          mayWrite: async () => !stop.aborted && (await lease.mayDeliver(row.id)) && !stop.aborted,
          mayWriteBody: () => !stop.aborted && lease.stillHolds(row.id),
        },
      );
    } catch (err) {
      if (err instanceof NotSent) return undefined;
      result = { ok: false, code: null, response: `error: ${(err as Error).message}` };
    }
    const now = clock.now();
    const judged = batch.outcomes.judge(row, messageId, result, message.startedAt, now);
    await this.countAttempt(row.sendId, judged.aboutSend, now, batch, judged.refusal);
    return judged.outcome;
  }

  /**
   * Counts an attempt in the send's error window (`failed`: a failure about the
   * send) and pauses the send with `refusal` as the reason when the relay
   * refused it, or when the window says the failures are surely too many.
   */
  private async countAttempt(sendId: number, failed: boolean, now: number, batch: BatchState, refusal?: string): Promise<void> {
    const reason = this.errors.record(sendId, failed, now) ?? refusal;
    if (!reason || batch.paused.has(sendId)) return;
    batch.paused.add(sendId);
    // Every lane of this worker stops now; the other workers' watches see the pause within statusCheckMs.
    this.watch.stop(sendId, reason);
    if (await this.deps.ledger.pause(sendId, reason, now)) this.deps.logger.warn({ send: sendId, reason }, 'send paused');
  }

  /**
   * The sends of a batch whose message the relays cannot take (relay-fit.ts),
   * checked once per send and worker: each is paused with the reason before
   * any of its readers is tried, and its rows of the batch go back untouched.
   */
  private async sendsRelaysRefuse(rows: readonly ClaimedRecipient[]): Promise<Set<number>> {
    const refused = new Set<number>();
    const { ledger, clock, logger } = this.deps;
    try {
      for (const sendId of new Set(rows.map((r) => r.sendId))) {
        const message = await this.messageOf(sendId);
        if (!message || message.fitsRelays) continue;
        const reason = await relayRefusalFor(this.deps, message.compiled, rows.find((r) => r.sendId === sendId)!);
        // Undefined: no relay answered, so the next batch asks again.
        if (reason === null) message.fitsRelays = true;
        if (!reason) continue;
        refused.add(sendId);
        this.watch.stop(sendId, reason);
        if (await ledger.pause(sendId, reason, clock.now())) logger.warn({ send: sendId, reason }, 'send paused');
      }
    } catch (err) {
      // A courtesy before the first message: SIZE= on each MAIL FROM still lets the relay refuse.
      logger.warn({ worker: this.deps.workerId, err: (err as Error).message }, 'relay limits not checked');
    }
    return refused;
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

/** Runs `fn` over `items` with at most `limit` at a time; `allStarted` is called once the last item is taken. */
async function mapLimit<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>, allStarted?: () => void): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const item = items[next++]!;
      if (next === items.length) allStarted?.();
      await fn(item);
    }
  });
  await Promise.all(lanes);
}
