// `matinale send EDITION_ID [--at TIME | --now] [--test ADDRESS…] [--wait]`:
// schedules or starts a send of an edition; `--test` mails the given addresses
// only (any state, "[TEST]" in the subject); `--wait` delivers it from this
// process, with progress, until every recipient has a final state, and exits 1
// unless every recipient reached the relay or bounced (failed rows, a pause).
import { hostname } from 'node:os';
import type { Command } from 'commander';
import cliProgress from 'cli-progress';
import { Cron } from 'croner';
import pino from 'pino';
import { parseAddress } from '../audience/address.ts';
import { systemClock } from '../clock.ts';
import { followSend } from '../delivery/follow-send.ts';
import { progressLine, sendSummary, type SendProgress } from '../delivery/progress.ts';
import { requestSend } from '../delivery/sends.ts';
import { deliveryParts, publicUrlCheck } from '../delivery/worker.ts';
import { WorkflowError } from '../edition/workflow.ts';
import { getEdition } from '../store/editions.ts';
import { getPublication } from '../store/publications.ts';
import { SendRefused } from '../delivery/send-rules.ts';
import type { Store } from '../store/db.ts';
import { withStore } from './context.ts';
import { EXIT_REFUSED, RefusedError, UsageError } from './usage-error.ts';

interface SendFlags {
  at?: string;
  now?: boolean;
  test?: string[];
  wait?: boolean;
  json?: boolean;
}

/** Adds `send` to the program. */
export function register(program: Command): void {
  program
    .command('send')
    .description('schedule or start the send of an edition (approved, or any state with --test)')
    .argument('<edition-id>', 'the edition (see `matinale edition add`)')
    .option('--at <time>', 'when: an ISO date-time (2026-03-02T06:00+01:00) or HH:MM, next in the publication time zone')
    .option('--now', 'start at once')
    .option('--test <address...>', 'send only to these addresses, marked [TEST]')
    .option('--wait', 'deliver from this process with progress until every recipient has a final state')
    .option('--json', 'print the send (and with --wait its final figures) as JSON')
    .action(async (id: string, flags: SendFlags) => {
      const editionId = Number(id);
      if (!Number.isSafeInteger(editionId) || editionId <= 0) throw new UsageError(`edition id must be a positive number (got ${id})`);
      if (flags.at && flags.now) throw new UsageError('give --at or --now, not both');
      const test = flags.test?.map((a) => {
        const parsed = parseAddress(a);
        if (!parsed.ok) throw new UsageError(`not an address: ${a}`);
        return parsed.address;
      });
      await withStore(async (store, config) => {
        // Checked before the send exists: `--now` renders the message here, with this process's public URL.
        const publicUrl = publicUrlCheck(config, { testSend: Boolean(test) });
        if (publicUrl.refuse) throw new RefusedError(publicUrl.refuse);
        if (publicUrl.warn) process.stderr.write(`matinale: warning: ${publicUrl.warn}\n`);
        const clock = systemClock;
        const logger = pino({ level: process.env.LOG_LEVEL || 'warn', base: { pid: process.pid } }, pino.destination(2));
        // The message is rendered here, not in a child as `matinale worker` does: this
        // process ends with its send, and a child's start (about 0.3 s) would delay every
        // `send --wait`; the renderer staying loaded until then costs memory, not time.
        const parts = deliveryParts({ store, config, clock, logger });
        try {
          const at = flags.now || test ? undefined : await whenToSend(store, editionId, flags.at, clock.now());
          let send;
          try {
            send = await requestSend(parts.sendDeps, { editionId, at, test, createdBy: `cli:${process.env.USER ?? 'unknown'}@${hostname()}` });
          } catch (err) {
            if (err instanceof SendRefused || err instanceof WorkflowError) throw new RefusedError(err.message);
            throw err;
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
