// Riding out a database that goes away: a PostgreSQL restart or failover, or
// a backend ended by an administrator (`pg_terminate_backend`). Every
// connection of the pool dies at once; the pool makes new ones as soon as
// the server answers again. What a process must do meanwhile is not die
// (db.ts listens for the pool's errors), not spin (one backoff per process,
// shared by everything that waits), say so once (one line when the outage
// starts, one when it ends, not one per failed query), and try again the
// operations that may be tried again (`retryWhileDown`: idempotent ones, or
// guarded updates whose second run changes nothing). A transaction is never
// retried from inside: the caller retries the whole unit of work.
import type { Store } from './db.ts';

/** How a process waits for the database to come back. */
export interface ReconnectPolicy {
  /** The first wait after a lost connection; doubled per failure since the last success. */
  firstDelayMs: number;
  /** The longest wait between two tries. */
  maxDelayMs: number;
  /** How long `retryWhileDown` keeps trying one operation before it gives up and throws. */
  giveUpAfterMs: number;
  /**
   * How long without a failure before the backoff starts again from the first
   * delay. A success alone does not reset it: a server that drops every
   * connection soon after it is made (restarting, or flapping) would
   * otherwise be hit every `firstDelayMs`.
   */
  calmMs: number;
}

export const DEFAULT_RECONNECT_POLICY: ReconnectPolicy = { firstDelayMs: 100, maxDelayMs: 5_000, giveUpAfterMs: 10 * 60_000, calmMs: 30_000 };

// SQLSTATE class 08 (connection exception), and the server going away or not
// yet taking connections: admin_shutdown (57P01, what pg_terminate_backend and
// a restart send), crash_shutdown, cannot_connect_now (starting up or shutting
// down), too_many_connections (53300: a restart's reconnect stampede).
const LOST_STATES = new Set(['57P01', '57P02', '57P03', '53300']);
const LOST_SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN']);
// What node-postgres says when the socket closed under a query, or when a
// query is given to a client whose connection already failed.
const LOST_MESSAGES = /Connection terminated|connection error and is not queryable|terminating connection|timeout exceeded when trying to connect/;

/** True when `err` says the connection to the database was lost or could not be made (not a refusal of the query). */
export function isConnectionLoss(err: unknown): boolean {
  const e = err as { code?: unknown; message?: unknown } | null;
  if (!e || typeof e !== 'object') return false;
  const code = typeof e.code === 'string' ? e.code : '';
  if (code.startsWith('08') || LOST_STATES.has(code) || LOST_SOCKET_CODES.has(code)) return true;
  return typeof e.message === 'string' && LOST_MESSAGES.test(e.message);
}

/**
 * One process's view of its database's outages: whether it is down now, the
 * backoff before the next try, and the log lines (one as it goes, one as it
 * comes back; an outage that starts again within `quietMs` of the last line
 * logged adds none, so that a flapping server does not flood the log).
 */
export class Outages {
  private down = false;
  private logged = false;
  private since = 0;
  /** Failures since the last calm period: the backoff's exponent. */
  private failures = 0;
  /** Failures of the outage in progress, for its closing line. */
  private outageFailures = 0;
  private lastFailureAt = -Infinity;
  private lastLineAt = -Infinity;

  constructor(
    private readonly where: string,
    private readonly log: (line: string) => void,
    readonly policy: ReconnectPolicy = DEFAULT_RECONNECT_POLICY,
    private readonly now: () => number = Date.now,
    private readonly quietMs = 60_000,
  ) {}

  /** Whether the last operation found the database unreachable. */
  get isDown(): boolean {
    return this.down;
  }

  /** Notes a failed operation; true when it was a lost connection (wait `delayMs()` and try again), false for any other error. */
  failed(err: unknown): boolean {
    if (!isConnectionLoss(err)) return false;
    const now = this.now();
    if (now - this.lastFailureAt >= this.policy.calmMs) this.failures = 0;
    this.lastFailureAt = now;
    this.failures++;
    this.outageFailures++;
    if (this.down) return true;
    this.down = true;
    this.since = now;
    if (this.since - this.lastLineAt >= this.quietMs) {
      this.logged = true;
      this.lastLineAt = this.since;
      this.log(`database connection lost (${oneLine(err)}) on ${this.where}; reconnecting with backoff`);
    }
    return true;
  }

  /** Notes a successful operation: the outage, if any, is over. */
  succeeded(): void {
    if (!this.down) return;
    if (this.logged) this.log(`database reachable again after ${((this.now() - this.since) / 1000).toFixed(1)} s (${this.outageFailures} failed tries)`);
    this.down = false;
    this.logged = false;
    this.outageFailures = 0;
  }

  /** How long to wait before the next try: doubles with each recent failure, capped, with jitter so that processes do not reconnect in step. */
  delayMs(random: () => number = Math.random): number {
    const { firstDelayMs, maxDelayMs } = this.policy;
    const delay = Math.min(maxDelayMs, firstDelayMs * 2 ** Math.min(30, Math.max(0, this.failures - 1)));
    return Math.round(delay / 2 + random() * (delay / 2));
  }
}

function oneLine(err: unknown): string {
  return String((err as Error).message ?? err).split('\n')[0]!.slice(0, 200);
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Runs `work`; while it fails because the database is unreachable, waits the
 * store's backoff and runs it again, for at most the policy's `giveUpAfterMs`
 * (then, and for any other error, throws). Only for work that may run twice:
 * a lost connection does not say whether the server finished it. On SQLite,
 * and on the store of a running transaction, `work` runs once.
 */
export async function retryWhileDown<T>(store: Pick<Store, 'outages'>, work: () => Promise<T>, options: { giveUpAfterMs?: number } = {}): Promise<T> {
  const outages = store.outages;
  if (!outages) return work();
  const giveUpAt = Date.now() + (options.giveUpAfterMs ?? outages.policy.giveUpAfterMs);
  for (;;) {
    try {
      const result = await work();
      outages.succeeded();
      return result;
    } catch (err) {
      if (!outages.failed(err)) throw err;
      const delay = outages.delayMs();
      if (Date.now() + delay > giveUpAt) throw err;
      await sleep(delay);
    }
  }
}

/** `target` with every method run through `retryWhileDown` (for interfaces whose every operation may run twice, such as the delivery ledger). */
export function retryingWhileDown<T extends object>(store: Pick<Store, 'outages'>, target: T): T {
  if (!store.outages) return target;
  const wrapped = { ...target };
  for (const [name, value] of Object.entries(target)) {
    if (typeof value === 'function') {
      (wrapped as Record<string, unknown>)[name] = (...args: unknown[]) => retryWhileDown(store, () => (value as (...a: unknown[]) => Promise<unknown>).apply(target, args));
    }
  }
  return wrapped;
}
