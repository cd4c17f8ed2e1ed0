// One unit of work, one transaction, on either backend. Writes that belong
// together go through `inTransaction`: they all land or none does.
//
// SQLite: the transaction starts with `BEGIN IMMEDIATE`, taking the write lock
// up front. A deferred `BEGIN` would take it only at the first write, and two
// processes that both read first and then write would dead-lock on the upgrade
// (SQLITE_BUSY at once, whatever the busy timeout). With the lock taken first,
// the second process simply waits (busy timeout, db.ts) and then runs.
// PostgreSQL: a READ COMMITTED transaction; guarded updates (`WHERE status = …`)
// re-check their condition after waiting for a row lock, which is what makes
// "exactly one wins" hold for concurrent transitions.
import { sql, type Kysely } from 'kysely';
import type { Store } from './db.ts';
import type { Database } from './schema.ts';

// Stores handed to a unit of work: a nested `inTransaction` joins the outer one.
const transactional = new WeakSet<Store>();

/** True when `store` is the view of a running transaction (see `inTransaction`). */
export function isInTransaction(store: Store): boolean {
  return transactional.has(store);
}

/**
 * Runs `work` in one transaction and returns its result; any error rolls
 * everything back and is rethrown. Called with a store that is already in a
 * transaction, it runs `work` inside that transaction, so that store functions
 * compose into larger units of work.
 */
export async function inTransaction<T>(store: Store, work: (tx: Store) => Promise<T>): Promise<T> {
  if (transactional.has(store)) return work(store);
  if (store.capabilities.dialect === 'postgres') {
    return store.db.transaction().execute((trx) => work(view(store, trx)));
  }
  return store.db.connection().execute(async (conn) => {
    await sql`begin immediate`.execute(conn);
    let result: T;
    try {
      result = await work(view(store, conn));
    } catch (err) {
      await sql`rollback`.execute(conn).catch(() => {});
      throw err;
    }
    await sql`commit`.execute(conn);
    return result;
  });
}

/** The store as seen inside a transaction: same backend, queries on the transaction. */
function view(store: Store, db: Kysely<Database>): Store {
  const tx: Store = {
    db,
    capabilities: store.capabilities,
    columnTypes: store.columnTypes,
    // SQLite has one connection, which the transaction holds: its statements run inside it.
    ...(store.sqlite ? { sqlite: store.sqlite } : {}),
    description: store.description,
    close: async () => {
      throw new Error('a transaction view of the store cannot be closed');
    },
  };
  transactional.add(tx);
  return tx;
}
