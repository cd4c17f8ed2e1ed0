// The delivery worker loop with the scheduler: what `matinale worker` runs,
// and what `matinale serve` starts in-process. Claims batches while there is
// work, sleeps `pollMs` when there is none, ticks the scheduler when it holds
// the scheduler lock (and, about hourly, purges subscriptions never confirmed
// and whatever the command adds, such as tips past their retention), and stops cleanly: the batch in hand is finished and
// recorded, then the loop ends (SIGTERM in `matinale worker`).
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import ms from 'ms';
import { systemClock, type Clock } from '../clock.ts';
import type { Config, DeliverySettings } from '../config.ts';
import { audiencePolicyOf, type AudiencePolicy } from '../audience/deps.ts';
import { AudienceKeys } from '../audience/keys.ts';
import { purgeUnconfirmed } from '../audience/purge.ts';
import { suppress } from '../audience/suppression.ts';
import type { Store } from '../store/db.ts';
import { storeLedger, storeRecheck } from './store-ledger.ts';
import { retryWhileDown } from '../store/outages.ts';
import { schedulerLock } from '../store/scheduler-lock.ts';
import { audienceLinks } from './audience-links.ts';
import { deliveryLogger, mailIdentity, transportOf } from './mail-stack.ts';
import { messageBuilder } from './message-builder.ts';
import { defaultSigningThreads, SigningThreads } from './signing-threads.ts';
import { schedulerTick } from './scheduler.ts';
import type { SendDeps } from './sends.ts';
import { renderInChild } from './render-child.ts';
import type { Transport } from './transport.ts';
import { DEFAULT_WORKER_POLICY, DeliveryWorker, type DeliveryLogger, type WorkerPolicy } from './worker-batch.ts';

/** How late a scheduled send may still start after the process that should have started it was down. */
export const DEFAULT_GRACE_MS = 2 * 3_600_000;

export interface StartWorkerOptions {
  store: Store;
  config: Config;
  clock?: Clock;
  /**
   * The process's one transport (mail-stack.ts), shared with the audience's
   * mailer; default: one built here from SMTP_URL, else the outbox in DATA_DIR/outbox.
   */
  transport?: Transport;
  logger?: DeliveryLogger;
  /** Over the operator's settings (config.delivery), which are over DEFAULT_WORKER_POLICY. */
  policy?: Partial<WorkerPolicy>;
  /** Run the scheduler too (default true). */
  scheduler?: boolean;
  /** How late a scheduled send may still start: over SEND_GRACE (config.delivery.graceMs), over DEFAULT_GRACE_MS. */
  graceMs?: number;
  /** Sleep between polls when there is nothing to do (default 1 s). */
  pollMs?: number;
  /**
   * How often the scheduler purges subscriptions never confirmed (audience's
   * `purgeUnconfirmed`; default hourly, first at start). Only the process
   * holding the scheduler lock does it.
   */
  purgeEveryMs?: number;
  /** The audience policy of the purge (its delay): over config.audience, over audience's defaults. */
  audiencePolicy?: Partial<AudiencePolicy>;
  /**
   * More purges of the same hourly round, from domains the delivery does not
   * know (the tip line's retention: given by the command that starts the
   * worker, since tips/ sits above delivery/). Each answers counts to log,
   * never what it deleted.
   */
  purges?: Array<{ what: string; run: () => Promise<Record<string, number>> }>;
  /**
   * Batches in flight at once (default 2): while one batch's results are
   * recorded and the next claimed, the other keeps the SMTP connections busy.
   */
  lanes?: number;
  workerId?: string;
  /**
   * Render the message of a send this process starts (the scheduler's) in a
   * child process that ends with the rendering (render-child.ts), so that the
   * parser and MJML, about 40 MB, never stay in a process that delivers for
   * hours: `matinale worker`. Default false: `serve` keeps them loaded for its
   * pages anyway, `send --wait` ends with its send, and tests start no process per send.
   */
  renderApart?: boolean;
}

export interface RunningWorker {
  readonly workerId: string;
  readonly worker: DeliveryWorker;
  /** Finishes the batch in hand, releases the scheduler lock, ends the signing threads, closes the transport. */
  stop(): Promise<void>;
  /** Settles when the loop has ended. */
  readonly done: Promise<void>;
}

/**
 * Whether this process may build the links of mail from its public URL. A
 * `send` or `worker` runs apart from the web app and never learns its
 * address: with PUBLIC_URL unset every unsubscribe link would point at
 * localhost; `serve` knows only the address it listens on. Refused through a
 * relay (real readers); a warning for the local outbox, where nobody outside
 * reads the mail.
 */
export function publicUrlCheck(config: Config, options: { testSend?: boolean } = {}): { refuse?: string; warn?: string } {
  // `serve` on its own falls back to the address it listens on: right for a
  // newcomer's browser, never for readers behind a relay.
  if (config.publicUrlSource !== 'default' && config.publicUrlSource !== 'listening') return {};
  const why = `PUBLIC_URL is not set (nor publicUrl in matinale.yaml), so every link in the mail (unsubscribe, preferences, web version) would point at ${config.publicUrl}`;
  if (!config.smtpUrls.length) return { warn: `${why}; fine for the local outbox, set PUBLIC_URL before delivering to readers` };
  // A test send goes to the newsroom's own addresses: dead links there harm nobody.
  if (options.testSend) return { warn: `${why}; sent anyway since this is a test send, but a send to the list will be refused` };
  return { refuse: `${why}: refusing to deliver through SMTP_URL; set PUBLIC_URL to the address readers reach the site at, e.g. PUBLIC_URL=https://news.example.org` };
}

/** Fields that are set, so that an unset one never hides the layer below. */
function setFields<T extends object>(o: T | undefined): Partial<T> {
  return Object.fromEntries(Object.entries(o ?? {}).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/**
 * The worker policy in force: what code passes (tests) over what the operator
 * set (config.delivery, from the environment) over delivery's defaults.
 */
export function workerPolicyOf(settings: DeliverySettings | undefined, override: Partial<WorkerPolicy> = {}): WorkerPolicy {
  const policy: WorkerPolicy = {
    ...DEFAULT_WORKER_POLICY,
    ...setFields({ batchSize: settings?.batchSize, leaseMs: settings?.leaseMs }),
    ...setFields(override),
    retry: { ...DEFAULT_WORKER_POLICY.retry, ...setFields(settings?.retry), ...setFields(override.retry) },
    errorRate: { ...DEFAULT_WORKER_POLICY.errorRate, ...setFields(settings?.errorRate), ...setFields(override.errorRate) },
  };
  // Checked over the defaults too: RETRY_FIRST_DELAY=30m alone would otherwise be cut to the default 15m without a word.
  const { baseDelayMs, maxDelayMs } = policy.retry;
  if (maxDelayMs < baseDelayMs) {
    throw new Error(`RETRY_MAX_DELAY (${ms(maxDelayMs, { long: true })}) must not be shorter than RETRY_FIRST_DELAY (${ms(baseDelayMs, { long: true })})`);
  }
  return policy;
}

/** The parts a worker is made of, from the configuration. */
export function deliveryParts(options: Pick<StartWorkerOptions, 'store' | 'config' | 'clock' | 'transport' | 'logger' | 'policy' | 'graceMs' | 'renderApart'>) {
  const { store, config } = options;
  const clock = options.clock ?? systemClock;
  const { mailDomain, dkim, returnPaths } = mailIdentity(config);
  const logger = options.logger ?? deliveryLogger();
  const transport = options.transport ?? transportOf(config, clock, logger);
  const keys = new AudienceKeys(config.secret);
  const sendDeps: SendDeps = { store, clock, publicUrl: config.publicUrl, mailDomain, ...(options.renderApart ? { render: renderInChild } : {}) };
  const links = audienceLinks({ secret: config.secret, publicUrl: config.publicUrl, mailDomain, clock });
  const threads = config.delivery?.signingThreads ?? defaultSigningThreads();
  return {
    clock,
    mailDomain,
    transport,
    logger,
    sendDeps,
    policy: workerPolicyOf(config.delivery, options.policy),
    graceMs: options.graceMs ?? config.delivery?.graceMs ?? DEFAULT_GRACE_MS,
    links,
    /** Builds each recipient's message on the event loop, its DKIM signature on the signing threads (started at the first signature). Close it with the transport. */
    builder: messageBuilder(links, mailDomain, threads > 0 ? new SigningThreads({ size: threads, logger }) : undefined),
    dkim,
    returnPaths,
    recheck: storeRecheck(store),
    suppressor: {
      // Retried through a database outage: a bounced address left unsuppressed would be mailed again.
      suppress: (publicationId: number, email: string, details: Record<string, unknown>) =>
        retryWhileDown(store, () => suppress({ store, keys, clock }, publicationId, email, 'hard-bounce', details)),
    },
  };
}

/** A worker made of the parts: `startWorker`'s loop and `send --wait` deliver through the same. */
export function deliveryWorker(store: Store, parts: ReturnType<typeof deliveryParts>, workerId: string, policy: Partial<WorkerPolicy> = {}): DeliveryWorker {
  return new DeliveryWorker({
    workerId,
    ledger: storeLedger(store),
    transport: parts.transport,
    links: parts.links,
    builder: parts.builder,
    clock: parts.clock,
    logger: parts.logger,
    mailDomain: parts.mailDomain,
    dkim: parts.dkim,
    returnPaths: parts.returnPaths,
    recheck: parts.recheck,
    suppressor: parts.suppressor,
    policy: { ...parts.policy, ...policy },
  });
}

/** Starts the worker loop (and the scheduler); returns at once. */
export function startWorker(options: StartWorkerOptions): RunningWorker {
  const parts = deliveryParts(options);
  const workerId = options.workerId ?? `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  const worker = deliveryWorker(options.store, parts, workerId);
  const lock = options.scheduler === false ? undefined : schedulerLock(options.store);
  const pollMs = options.pollMs ?? 1000;
  const purgeEveryMs = options.purgeEveryMs ?? 3_600_000;
  const audiencePolicy: AudiencePolicy = audiencePolicyOf(options.config.audience, options.audiencePolicy);
  let stopping = false;

  const scheduler = async () => {
    let lastTick = -Infinity;
    let lastPurge = -Infinity;
    while (!stopping) {
      if (parts.clock.now() - lastTick >= pollMs) {
        lastTick = parts.clock.now();
        try {
          if (await lock!.tryAcquire()) {
            const r = await schedulerTick(parts.sendDeps, parts.graceMs);
            if (r.started.length || r.missed.length) parts.logger.info({ worker: workerId, ...r }, 'scheduler');
            if (parts.clock.now() - lastPurge >= purgeEveryMs) {
              // Counted from the attempt, so a failing purge is retried an hour later, not at every tick.
              lastPurge = parts.clock.now();
              const purged = await purgeUnconfirmed({ store: options.store, clock: parts.clock, policy: audiencePolicy });
              if (purged.subscriptions || purged.subscribers) parts.logger.info({ worker: workerId, ...purged }, 'unconfirmed subscriptions purged');
              for (const purge of options.purges ?? []) {
                const counts = await purge.run();
                if (Object.keys(counts).length) parts.logger.info({ worker: workerId, counts }, `${purge.what} deleted`);
              }
            }
          }
          options.store.outages?.succeeded();
        } catch (err) {
          // A database outage is logged once by the store, not at every tick.
          if (!options.store.outages?.failed(err)) parts.logger.error({ worker: workerId, err: (err as Error).message }, 'scheduler error');
        }
      }
      await pause(options.store.outages?.isDown ? options.store.outages.delayMs() : pollMs);
    }
  };
  const lane = async () => {
    while (!stopping) {
      try {
        const handled = await worker.runBatch();
        options.store.outages?.succeeded();
        if (handled > 0) continue;
      } catch (err) {
        if (!options.store.outages?.failed(err)) parts.logger.error({ worker: workerId, err: (err as Error).message }, 'delivery loop error');
      }
      // While the database is down, every lane waits the store's growing backoff rather than the poll.
      if (!stopping) await pause(options.store.outages?.isDown ? options.store.outages.delayMs() : pollMs);
    }
  };
  const sleepers = new Set<() => void>();
  const pause = (ms: number) =>
    new Promise<void>((resolve) => {
      const wake = () => {
        clearTimeout(t);
        sleepers.delete(wake);
        resolve();
      };
      const t = setTimeout(wake, ms);
      sleepers.add(wake);
    });
  const loop = () => Promise.all([...(lock ? [scheduler()] : []), ...Array.from({ length: Math.max(1, options.lanes ?? 2) }, lane)]);

  const done = loop().then(() => undefined).finally(async () => {
    // A batch claimed ahead that no lane will take goes back now, not when its lease ends.
    await worker.close().catch((err: Error) => parts.logger.warn({ worker: workerId, err: err.message }, 'could not give back a batch claimed ahead'));
    await lock?.release();
    await parts.builder.close();
    await parts.transport.close();
  });
  return {
    workerId,
    worker,
    done,
    async stop() {
      stopping = true;
      for (const wake of [...sleepers]) wake();
      await done;
    },
  };
}
