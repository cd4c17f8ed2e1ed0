// `matinale worker [--no-scheduler]`: a delivery worker (and the scheduler,
// which one process at a time holds on PostgreSQL) until SIGTERM or SIGINT,
// when it finishes and records the batch in hand, then exits 0.
import { tipRetentionPurge } from '../tips/retention.ts';
import type { Command } from 'commander';
import { loadConfig } from '../config.ts';
import { systemClock } from '../clock.ts';
import { publicUrlCheck, startWorker } from '../delivery/worker.ts';
import { openStore } from '../store/db.ts';
import { migrateToLatest } from '../store/migrate.ts';
import { RefusedError } from './usage-error.ts';

/** Adds `worker` to the program. */
export function register(program: Command): void {
  program
    .command('worker')
    .description('deliver sends (and run the scheduler) until SIGTERM')
    .option('--no-scheduler', 'deliver only; leave the schedules to other processes')
    .action(async (flags: { scheduler: boolean }) => {
      const config = loadConfig(process.env);
      const publicUrl = publicUrlCheck(config);
      if (publicUrl.refuse) throw new RefusedError(publicUrl.refuse);
      if (publicUrl.warn) process.stderr.write(`matinale: warning: ${publicUrl.warn}\n`);
      const store = openStore({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
      // The handlers come first: a signal that arrives while starting must stop, not kill, the worker.
      // `on`, not `once`: a second signal while the batch in hand finishes must not kill it halfway.
      let stopRequested = false;
      let running: ReturnType<typeof startWorker> | undefined;
      const stop = () => {
        stopRequested = true;
        void running?.stop();
      };
      process.on('SIGTERM', stop);
      process.on('SIGINT', stop);
      try {
        await migrateToLatest(store);
        // The messages of the sends its scheduler starts are rendered in a child: the renderer never stays in a worker.
        running = startWorker({ store, config, clock: systemClock, scheduler: flags.scheduler, renderApart: true, purges: [tipRetentionPurge(store, systemClock)] });
        process.stderr.write(`matinale worker ${running.workerId} on ${store.description}\n`);
        if (stopRequested) void running.stop();
        await running.done;
      } finally {
        await store.close();
        // Only now: a second signal while the store closes must not kill the process either.
        process.off('SIGTERM', stop);
        process.off('SIGINT', stop);
      }
    });
}
