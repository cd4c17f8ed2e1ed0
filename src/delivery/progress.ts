// The figures of a send for people: counts per state, the rate so far and the
// time left, read from the ledger (so any process, the CLI or the web app,
// shows the same). Shown by `send --wait`, `matinale sends` and the dashboard.
import type { Store } from '../store/db.ts';
import type { RecipientState, SendKind, SendStatus } from '../store/schema.ts';
import { getSend, listSends, recipientCounts } from '../store/sends.ts';

export interface SendProgress {
  sendId: number;
  editionId: number;
  kind: SendKind;
  status: SendStatus;
  statusReason: string | null;
  scheduledFor: number;
  startedAt: number | null;
  finishedAt: number | null;
  total: number;
  counts: Record<RecipientState, number>;
  /** Rows with a final state (sent, bounced, failed, suppressed). */
  finished: number;
  /** Rows still to deliver (pending or in flight). */
  remaining: number;
  /** Final results per second since the send started. */
  ratePerSecond: number | null;
  /** Estimated seconds until every row is final, at the rate so far. */
  secondsLeft: number | null;
}

/** The progress of one send, or undefined if there is no such send. */
export async function sendProgress(store: Store, sendId: number, now: number): Promise<SendProgress | undefined> {
  const send = await getSend(store, sendId);
  if (!send) return undefined;
  const { counts, lastUpdate } = await recipientCounts(store, sendId);
  const total = Object.values(counts).reduce((a, b) => a + b, 0);
  const remaining = counts.pending + counts.sending;
  const finished = total - remaining;
  let ratePerSecond: number | null = null;
  if (send.started_at !== null && finished > 0) {
    const end = send.finished_at ?? (remaining === 0 ? (lastUpdate ?? now) : now);
    ratePerSecond = finished / Math.max(0.001, (end - send.started_at) / 1000);
  }
  const secondsLeft = remaining === 0 ? 0 : ratePerSecond ? remaining / ratePerSecond : null;
  return {
    sendId: send.id,
    editionId: send.edition_id,
    kind: send.kind,
    status: send.status,
    statusReason: send.status_reason,
    scheduledFor: send.scheduled_for,
    startedAt: send.started_at,
    finishedAt: send.finished_at,
    total,
    counts,
    finished,
    remaining,
    ratePerSecond,
    secondsLeft,
  };
}

/** The progress of the most recent sends. */
export async function recentProgress(store: Store, now: number, limit = 20): Promise<SendProgress[]> {
  const sends = await listSends(store, limit);
  const out: SendProgress[] = [];
  for (const s of sends) {
    const p = await sendProgress(store, s.id, now);
    if (p) out.push(p);
  }
  return out;
}

/** One line for a terminal or a log: `send 3 running: 1200/20000 sent 1180 bounced 12 failed 0 pending 18800 · 410/s · 46 s left`. */
export function progressLine(p: SendProgress): string {
  const c = p.counts;
  const rate = p.ratePerSecond === null ? '' : ` · ${p.ratePerSecond >= 10 ? Math.round(p.ratePerSecond) : p.ratePerSecond.toFixed(1)}/s`;
  const left = p.secondsLeft === null || p.remaining === 0 ? '' : ` · ${formatDuration(p.secondsLeft)} left`;
  const reason = p.statusReason ? ` (${p.statusReason})` : '';
  return `send ${p.sendId} ${p.status}${reason}: ${p.finished}/${p.total} · sent ${c.sent} bounced ${c.bounced} failed ${c.failed} suppressed ${c.suppressed} pending ${p.remaining}${rate}${left}`;
}

/** `45 s`, `12 min`, `1 h 05`. */
export function formatDuration(seconds: number): string {
  if (seconds < 90) return `${Math.ceil(seconds)} s`;
  if (seconds < 5400) return `${Math.round(seconds / 60)} min`;
  const h = Math.floor(seconds / 3600);
  return `${h} h ${String(Math.round((seconds - h * 3600) / 60)).padStart(2, '0')}`;
}

/**
 * How a send that stopped went, for `send --wait` (its exit status) and people:
 * `ok` only when the send is done and every recipient reached the relay
 * (submitted), bounced (the reader's own refusal) or left (suppressed); a send
 * paused, cancelled or missed, or with failed rows, is not. The line gives the
 * figures and says which.
 */
export function sendSummary(p: SendProgress): { ok: boolean; line: string } {
  const c = p.counts;
  const figures = `submitted ${c.sent}, bounced ${c.bounced}, failed ${c.failed}, suppressed ${c.suppressed}`;
  const head = `send ${p.sendId} ${p.status}`;
  if (p.status !== 'done') {
    const next = p.status === 'paused' ? `; resume it with matinale sends ${p.sendId} --resume` : '';
    return { ok: false, line: `${head}${p.statusReason ? ` (${p.statusReason})` : ''}: ${figures}, pending ${p.remaining}${next}` };
  }
  if (p.total === 0) return { ok: true, line: `${head}: the list was empty, nobody was mailed` };
  if (c.failed > 0) {
    return { ok: false, line: `${head}: ${figures}; ${c.failed} not delivered, send them again with matinale sends ${p.sendId} --resend` };
  }
  // Suppressed rows are readers who left (or were suppressed) after the snapshot: not mailed, rightly.
  const who = c.suppressed > 0 ? 'every recipient still on the list' : 'every recipient';
  const which =
    c.sent + c.bounced === 0
      ? 'nobody was mailed: every recipient had left the list by their turn'
      : c.bounced > 0
        ? `${who} reached the relay or bounced (${c.bounced} refused by their own mail server, now suppressed)`
        : `${who} reached the relay`;
  return { ok: true, line: `${head}: ${figures}; ${which}` };
}
