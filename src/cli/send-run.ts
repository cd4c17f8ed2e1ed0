// The `send` command once its arguments are read (send.ts): the send created,
// started or scheduled, and with --wait delivered from this process. Loaded
// after send.ts started the render thread, which loads the renderers meanwhile.
import { hostname } from 'node:os';
import cliProgress from 'cli-progress';
import { Cron } from 'croner';
import pino from 'pino';
import { systemClock } from '../clock.ts';
import { followSend } from '../delivery/follow-send.ts';
import { progressLine, sendSummary, type SendProgress } from '../delivery/progress.ts';
import type { SendMessageInput } from '../delivery/message-render.ts';
import type { RenderThread } from '../delivery/send-render.ts';
import { requestSend } from '../delivery/sends.ts';
import { deliveryParts, publicUrlCheck } from '../delivery/worker.ts';
import { WorkflowError } from '../edition/workflow.ts';
import { getEdition } from '../store/editions.ts';
import { getPublication } from '../store/publications.ts';
import { SendRefused } from '../delivery/send-rules.ts';
import type { Store } from '../store/db.ts';
import { withStore } from './context.ts';
import { EXIT_REFUSED, RefusedError, UsageError } from './usage-error.ts';

export interface SendFlags {
  at?: string;
  now?: boolean;
  test?: string[];
  wait?: boolean;
  json?: boolean;
}

/** Creates the send (`test`: the addresses, checked), starts or schedules it, and with --wait delivers it. */
export async function runSend(editionId: number, flags: SendFlags, test: string[] | undefined, renderer: RenderThread | undefined): Promise<void> {
  await withStore(async (store, config) => {
    // Checked before the send exists: `--now` renders the message here, with this process's public URL.
    const publicUrl = publicUrlCheck(config, { testSend: Boolean(test) });
    if (publicUrl.refuse) throw new RefusedError(publicUrl.refuse);
    if (publicUrl.warn) process.stderr.write(`matinale: warning: ${publicUrl.warn}\n`);
    const clock = systemClock;
    const logger = pino({ level: process.env.LOG_LEVEL || 'warn', base: { pid: process.pid } }, pino.destination(2));
    const parts = deliveryParts({ store, config, clock, logger });
    // Delivered from here as soon as it starts: the relay's connections open meanwhile.
    if (flags.wait && (flags.now || test)) parts.transport.warm?.();
    try {
      const at = flags.now || test ? undefined : await whenToSend(store, editionId, flags.at, clock.now());
      const sendDeps = renderer ? { ...parts.sendDeps, render: (input: SendMessageInput) => renderer.render(input) } : parts.sendDeps;
      let send;
      try {
        send = await requestSend(sendDeps, { editionId, at, test, createdBy: `cli:${process.env.USER ?? 'unknown'}@${hostname()}` });
      } catch (err) {
        if (err instanceof SendRefused || err instanceof WorkflowError) throw new RefusedError(err.message);
        throw err;
      } finally {
        // The message is made: the thread and its renderers are not needed for the delivery.
        await renderer?.close();
      }
      const when = new Date(send.scheduled_for).toISOString();
      if (!flags.json) {
        process.stdout.write(
          send.status === 'running'
            ? `send ${send.id} started (${send.kind}, ${parts.transport.description})\n`
            : send.status === 'done'
              ? `send ${send.id} done at once (${send.kind}): ${send.status_reason ?? 'nothing to deliver'}\n`
              : `send ${send.id} scheduled for ${when} (${send.kind})\n`,
        );
      }
      if (!flags.wait) {
        if (flags.json) process.stdout.write(`${JSON.stringify({ sendId: send.id, kind: send.kind, status: send.status, scheduledFor: when })}\n`);
        return;
      }
      const reporter = progressReporter();
      const final = await followSend({ store, parts, sendId: send.id, workerId: `cli:${hostname()}:${process.pid}`, onProgress: reporter.update });
      reporter.stop();
      // Exit 1 unless every recipient reached the relay, bounced or left: a
      // script running `send --wait` learns of failed rows and of a pause.
      const summary = sendSummary(final);
      if (flags.json) process.stdout.write(`${JSON.stringify({ ...final, ok: summary.ok, summary: summary.line })}\n`);
      else process.stdout.write(`${progressLine(final)}\n${summary.line}\n`);
      if (!summary.ok) process.exitCode = EXIT_REFUSED;
    } finally {
      await parts.builder.close();
      await parts.transport.close();
    }
  });
}

/** The time of a list send: --at, else the publication's next scheduled time on the edition's date. */
async function whenToSend(store: Store, editionId: number, at: string | undefined, now: number): Promise<number> {
  const edition = await getEdition(store, editionId);
  if (!edition) throw new RefusedError(`no edition ${editionId}`);
  const publication = (await getPublication(store, edition.publicationId))!.settings;
  if (at) {
    const hm = /^(\d{1,2}):(\d{2})$/.exec(at);
    if (hm) {
      const next = new Cron(`${Number(hm[2])} ${Number(hm[1])} * * *`, { timezone: publication.timezone, paused: true }).nextRun(new Date(now));
      return next!.getTime();
    }
    const ms = Date.parse(at);
    if (Number.isNaN(ms) || !/(Z|[+-]\d{2}:?\d{2})$/.test(at)) throw new UsageError(`--at needs HH:MM or an ISO date-time with its offset (got ${at})`);
    return ms;
  }
  const next = new Cron(publication.schedule, { timezone: publication.timezone, paused: true }).nextRun(new Date(now));
  if (next && new Intl.DateTimeFormat('en-CA', { timeZone: publication.timezone }).format(next) === edition.date) return next.getTime();
  throw new UsageError(`the schedule of ${publication.slug} (${publication.schedule}) has no time left on ${edition.date}: give --now or --at`);
}

/** A bar on a terminal, a line every few seconds otherwise (stderr: stdout keeps the result). */
function progressReporter() {
  if (process.stderr.isTTY) {
    const bar = new cliProgress.SingleBar(
      { format: 'send {send} {bar} {value}/{total} | sent {sent} bounced {bounced} failed {failed} | {rate}/s | {left}', stream: process.stderr, hideCursor: true },
      cliProgress.Presets.shades_classic,
    );
    let started = false;
    return {
      update(p: SendProgress) {
        const payload = {
          send: p.sendId,
          sent: p.counts.sent,
          bounced: p.counts.bounced,
          failed: p.counts.failed,
          rate: p.ratePerSecond === null ? '-' : Math.round(p.ratePerSecond),
          left: p.status === 'scheduled' ? `starts ${new Date(p.scheduledFor).toISOString()}` : p.secondsLeft === null ? '' : `${Math.ceil(p.secondsLeft)} s left`,
        };
        if (!started) bar.start(Math.max(1, p.total), p.finished, payload);
        started = true;
        bar.setTotal(Math.max(1, p.total));
        bar.update(p.finished, payload);
      },
      stop: () => started && bar.stop(),
    };
  }
  let last = 0;
  return {
    update(p: SendProgress) {
      const now = Date.now();
      if (p.status === 'running' && p.remaining > 0 && now - last < 2000) return;
      last = now;
      process.stderr.write(`${progressLine(p)}\n`);
    },
    stop: () => {},
  };
}
