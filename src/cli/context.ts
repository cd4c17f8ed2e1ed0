// What every command that touches the database needs: the configuration, an
// open store brought up to date, and the store closed again whatever happens,
// so that a command never leaves a PostgreSQL pool or a SQLite lock behind.
import { loadConfig, type Config } from '../config.ts';
import { openStore, type Store } from '../store/db.ts';
import { migrateToLatest } from '../store/migrate.ts';

export interface WithStoreOptions {
  /** The environment to read the configuration from (tests pass their own). */
  env?: NodeJS.ProcessEnv;
  /** Apply pending migrations first (default true; `matinale migrate` does it itself). */
  migrate?: boolean;
}

/** Opens config and store (migrated), runs `work`, and always closes the store. */
export async function withStore<T>(
  work: (store: Store, config: Config) => Promise<T>,
  options: WithStoreOptions = {},
): Promise<T> {
  const config = loadConfig(options.env ?? process.env);
  const store = openStore({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  try {
    if (options.migrate !== false) await migrateToLatest(store);
    return await work(store, config);
  } finally {
    await store.close();
  }
}
