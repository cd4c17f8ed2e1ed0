// `matinale subscribers …`: import and export a publication's list, show or
// erase what is held on one person, purge unconfirmed subscriptions. Long work
// shows a progress bar on a terminal and plain progress lines otherwise.
import { createWriteStream } from 'node:fs';
import type { Command } from 'commander';
import cliProgress from 'cli-progress';
import { withStore } from './context.ts';
import { RefusedError, UsageError, EXIT_REFUSED } from './usage-error.ts';
import { audienceDeps } from '../audience/deps.ts';
import { importSubscribers, ImportRefusedError, NotCsvError, type ImportProgress } from '../audience/import.ts';
import { exportSubscribers } from '../audience/export.ts';
import { eraseSubscriber, exportSubscriber } from '../audience/data-rights.ts';
import { purgeUnconfirmed } from '../audience/purge.ts';
import { outboxCopies } from '../delivery/outbox-erasure.ts';

/** Progress on stderr: a bar on a terminal, a line per step otherwise. */
function progressReporter(label: string) {
  if (process.stderr.isTTY) {
    const bar = new cliProgress.SingleBar(
      { format: `${label} {bar} {percentage}% | {value}/{total} rows | {detail}`, stream: process.stderr, hideCursor: true },
      cliProgress.Presets.shades_classic,
    );
    let started = false;
    return {
      update(value: number, total: number, detail: string) {
        if (!started) bar.start(Math.max(total, value), 0, { detail });
        started = true;
        bar.setTotal(Math.max(total, value));
        bar.update(value, { detail });
      },
      stop: () => started && bar.stop(),
    };
  }
  let lastLine = 0;
  return {
    update(value: number, total: number, detail: string) {
      // A line every 5% at most: logs stay readable for a million rows.
      if (value < total && value - lastLine < Math.max(1, total / 20)) return;
      lastLine = value;
      process.stderr.write(`${label}: ${value}/${total} rows (${detail})\n`);
    },
    stop: () => {},
  };
}

interface ImportFlags {
  publication: string;
  confirmed?: boolean;
  consentSource?: string;
  rejects?: string;
  json?: boolean;
}

// `--confirmed` with no consent source (neither `--consent-source` nor a
// consent_source column) is a command written wrong, not a file refused: exit 2
// (CLI.md). Only the import sees the header row, so it decides; its refusal is
// told apart by its words until it has an error of its own for it.
function missingConsentSource(err: ImportRefusedError, flags: ImportFlags): boolean {
  return flags.confirmed === true && !flags.consentSource?.trim() && err.message.startsWith('--confirmed needs the consent source');
}

/** Adds `subscribers import|export|show|erase|purge` to the program. */
export function register(program: Command): void {
  const subscribers = program.command('subscribers').description("a publication's subscribers: import, export, data rights");

  subscribers
    .command('import')
    .description('import a CSV file (header row: email required; name, created_at, consent_source optional)')
    .argument('<file>', 'the CSV file (UTF-8 or Windows-1252, separated by , or ;)')
    .requiredOption('--publication <slug>', 'the publication to subscribe them to')
    .option('--confirmed', 'they already confirmed elsewhere: active at once (needs a consent source)')
    .option('--consent-source <text>', 'where they gave their consent, for rows without a consent_source column')
    .option('--rejects <file>', 'write refused rows there, with line number and reason')
    .option('--json', 'print the summary as JSON')
    .action(async (file: string, flags: ImportFlags) => {
      await withStore(async (store, config) => {
        const progress = progressReporter('import');
        let summary;
        try {
          summary = await importSubscribers(audienceDeps(config, store), {
            file,
            publicationSlug: flags.publication,
            confirmed: flags.confirmed === true,
            consentSource: flags.consentSource,
            rejectsFile: flags.rejects,
            onProgress: (p: ImportProgress) =>
              progress.update(p.rows, p.expectedRows, `${p.imported} imported, ${p.unchanged} unchanged, ${p.rejected} rejected`),
          });
        } catch (err) {
          if (err instanceof ImportRefusedError && missingConsentSource(err, flags)) throw new UsageError(err.message);
          if (err instanceof NotCsvError || err instanceof ImportRefusedError) throw new RefusedError(`${file}: ${err.message}`);
          throw err;
        } finally {
          progress.stop();
        }
        const { imported, unchanged, rejected, rows } = summary;
        if (flags.json) {
          process.stdout.write(`${JSON.stringify({ publication: summary.publication, rows, imported, unchanged, rejected, encoding: summary.encoding, rejects: summary.sampleRejects })}\n`);
        } else {
          process.stdout.write(`${imported} imported, ${unchanged} unchanged, ${rejected} rejected (${rows} rows, ${summary.encoding})\n`);
          if (rejected > 0 && !flags.rejects) {
            for (const r of summary.sampleRejects) process.stderr.write(`${file}:${r.line}: ${r.reason}${r.email ? ` (${r.email})` : ''}\n`);
            if (rejected > summary.sampleRejects.length) process.stderr.write(`… and ${rejected - summary.sampleRejects.length} more: use --rejects FILE to get them all\n`);
          }
        }
        // Rows were refused: the input was partly refused (CLI.md), though the rest is imported.
        if (rejected > 0) process.exitCode = EXIT_REFUSED;
      });
    });

  subscribers
    .command('export')
    .description("the publication's subscribers and their status, as CSV")
    .requiredOption('--publication <slug>', 'the publication')
    .option('--out <file>', 'write to a file instead of stdout')
    .action(async (flags: { publication: string; out?: string }) => {
      await withStore(async (store) => {
        const progress = flags.out ? progressReporter('export') : undefined;
        const out = flags.out ? createWriteStream(flags.out) : process.stdout;
        try {
          const rows = await exportSubscribers(store, flags.publication, out, (p) => progress?.update(p.rows, p.total, flags.out!), {
            end: Boolean(flags.out),
          });
          progress?.stop();
          if (flags.out) process.stderr.write(`${rows} subscribers written to ${flags.out}\n`);
        } catch (err) {
          if (err instanceof ImportRefusedError) throw new RefusedError(err.message);
          throw err;
        }
      });
    });

  subscribers
    .command('show')
    .description('everything held on one subscriber (data access request)')
    .argument('<email>', 'their address')
    .option('--json', 'as JSON (the default and only format)')
    .action(async (email: string) => {
      await withStore(async (store, config) => {
        const data = await exportSubscriber(audienceDeps(config, store), email);
        if (!data) throw new RefusedError(`no subscriber with the address ${email}`);
        process.stdout.write(`${JSON.stringify(data, null, 2)}\n`);
      });
    });

  subscribers
    .command('erase')
    .description('erase a subscriber: address and name removed, only a keyed hash kept in the suppression lists')
    .argument('<email>', 'their address')
    .action(async (email: string) => {
      await withStore(async (store, config) => {
        // The outbox's copies of their messages go too (delivery/outbox-erasure.ts).
        if (!(await eraseSubscriber(audienceDeps(config, store), email, outboxCopies(config.dataDir)))) throw new RefusedError(`no subscriber with the address ${email}`);
        process.stdout.write(`erased ${email}: it is suppressed in every publication and will not be imported again\n`);
      });
    });

  subscribers
    .command('purge')
    .description('delete pending subscriptions never confirmed (the scheduler also does it)')
    .action(async () => {
      await withStore(async (store, config) => {
        const r = await purgeUnconfirmed(audienceDeps(config, store));
        process.stdout.write(`${r.subscriptions} unconfirmed subscriptions and ${r.subscribers} subscribers deleted\n`);
      });
    });
}
