// `matinale send EDITION_ID [--at TIME | --now] [--test ADDRESS…] [--wait]`:
// schedules or starts a send of an edition; `--test` mails the given addresses
// only (any state, "[TEST]" in the subject); `--wait` delivers it from this
// process, with progress, until every recipient has a final state, and exits 1
// unless every recipient reached the relay or bounced (failed rows, a pause).
//
// A send that starts now renders its message: the render thread
// (delivery/send-render.ts) is started here, before the store, the delivery
// and their libraries load (send-run.ts), so that the renderers and MJML load
// on another core meanwhile.
import type { Command } from 'commander';
import { parseAddress } from '../audience/address.ts';
import { RenderThread } from '../delivery/send-render.ts';
import type { SendFlags } from './send-run.ts';
import { UsageError } from './usage-error.ts';

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
      const renderer = flags.now || test ? RenderThread.start() : undefined;
      try {
        const { runSend } = await import('./send-run.ts');
        await runSend(editionId, flags, test, renderer);
      } finally {
        await renderer?.close();
      }
    });
}
