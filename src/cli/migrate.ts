// `matinale migrate`: brings the database schema up to date. Safe to run from
// several processes at once (see src/store/migrate.ts); a second run applies nothing.
import type { Command } from 'commander';
import { migrateToLatest } from '../store/migrate.ts';
import { withStore } from './context.ts';

/** Adds `migrate` to the program. */
export function register(program: Command): void {
  program
    .command('migrate')
    .description('bring the database schema up to date (SQLite in DATA_DIR, or DATABASE_URL)')
    .option('--json', 'print what was applied as JSON')
    .action(async (options: { json?: boolean }) => {
      await withStore(
        async (store) => {
          const applied = await migrateToLatest(store);
          if (options.json) {
            process.stdout.write(`${JSON.stringify({ database: store.description, applied })}\n`);
          } else if (applied.length === 0) {
            process.stdout.write(`${store.description}: schema up to date\n`);
          } else {
            process.stdout.write(`${store.description}: applied ${applied.join(', ')}\n`);
          }
        },
        { migrate: false },
      );
    });
}
