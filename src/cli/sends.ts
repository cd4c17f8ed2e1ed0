// `matinale sends [SEND_ID] [--json] [--resume] [--resend]`: the status of
// sends (counts per state, rate, time left, and why a send is paused or
// missed); `--resume` resumes a paused send, `--resend` sends again, as a new
// send, the recipients of a send that failed.
import { hostname } from 'node:os';
import type { Command } from 'commander';
import { systemClock } from '../clock.ts';
import { progressLine, recentProgress, sendProgress } from '../delivery/progress.ts';
import { requestResend } from '../delivery/sends.ts';
import { deliveryParts, publicUrlCheck } from '../delivery/worker.ts';
import { SendRefused } from '../delivery/send-rules.ts';
import { resumeSend } from '../store/sends.ts';
import { withStore } from './context.ts';
import { RefusedError, UsageError } from './usage-error.ts';

/** Adds `sends` to the program. */
export function register(program: Command): void {
  program
    .command('sends')
    .description('status of sends: counts per state, rate, time left')
    .argument('[send-id]', 'one send (default: the 20 most recent)')
    .option('--json', 'machine-readable output')
    .option('--resume', 'resume a paused send')
    .option('--resend', 'send again, as a new send, the recipients of this send that failed')
    .action(async (id: string | undefined, flags: { json?: boolean; resume?: boolean; resend?: boolean }) => {
      const sendId = id === undefined ? undefined : Number(id);
      if (sendId !== undefined && (!Number.isSafeInteger(sendId) || sendId <= 0)) throw new UsageError(`send id must be a positive number (got ${id})`);
      if ((flags.resume || flags.resend) && sendId === undefined) throw new UsageError('--resume and --resend need a send id');
      await withStore(async (store, config) => {
        const now = systemClock.now();
        if (sendId === undefined) {
          const all = await recentProgress(store, now);
          if (flags.json) process.stdout.write(`${JSON.stringify(all)}\n`);
          else if (all.length === 0) process.stdout.write('no sends yet\n');
          else for (const p of all) process.stdout.write(`${progressLine(p)}\n`);
          return;
        }
        if (flags.resume && !(await resumeSend(store, sendId))) throw new RefusedError(`send ${sendId} is not paused`);
        if (flags.resend) {
          // The resend's message is built here, with this process's public URL: checked as `send` does.
          const publicUrl = publicUrlCheck(config);
          if (publicUrl.refuse) throw new RefusedError(publicUrl.refuse);
          if (publicUrl.warn) process.stderr.write(`matinale: warning: ${publicUrl.warn}\n`);
          const parts = deliveryParts({ store, config, clock: systemClock });
          try {
            const resend = await requestResend(parts.sendDeps, sendId, `cli:${process.env.USER ?? 'unknown'}@${hostname()}`);
            process.stdout.write(`send ${resend.id} resends the failed recipients of send ${sendId}\n`);
          } catch (err) {
            if (err instanceof SendRefused) throw new RefusedError(err.message);
            throw err;
          } finally {
            await parts.transport.close();
          }
          return;
        }
        const p = await sendProgress(store, sendId, now);
        if (!p) throw new RefusedError(`no send ${sendId}`);
        process.stdout.write(flags.json ? `${JSON.stringify(p)}\n` : `${progressLine(p)}\n`);
      });
    });
}
