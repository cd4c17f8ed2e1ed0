// The scheduler's lock. PostgreSQL (`supportsAdvisoryLocks`): a session
// advisory lock held on one pooled connection kept for as long as the
// process holds it; when the process dies its session ends, the lock goes with
// it, and any other process takes over at its next try. The key is derived from
// the schema, so that databases sharing a server do not block each other.
// The same holds when only the session dies (a PostgreSQL restart, a backend
// ended by an administrator): the connection reports it, this process stops
// believing it holds the lock, and tries for it again like everyone else.
// SQLite has no such lock: the one process that writes at a time is enough,
// and starting a send is idempotent anyway (one list send per edition).
import type pg from 'pg';
import type { Store } from './db.ts';

/** A lock at most one process holds at a time (delivery's SchedulerLock has this shape). */
export interface ProcessLock {
  /** True when this process holds (or just took) the lock. */
  tryAcquire(): Promise<boolean>;
  release(): Promise<void>;
}

const KEY = `hashtext('matinale-scheduler:' || current_schema())`;

/** The scheduler lock of a store. */
export function schedulerLock(store: Store): ProcessLock {
  const pool = store.pgPool;
  if (!store.capabilities.supportsAdvisoryLocks || !pool) return { tryAcquire: async () => true, release: async () => {} };
  // The session holding the lock, while this process holds it.
  let session: pg.PoolClient | undefined;
  const onError = (err: Error) => lost(err);
  const onEnd = () => lost(new Error('the session holding the scheduler lock ended'));
  const giveBack = (client: pg.PoolClient, err?: Error) => {
    client.off('error', onError);
    client.off('end', onEnd);
    // Given back with an error, the pool closes the connection instead of reusing it.
    client.release(err);
  };
  const lost = (err: Error) => {
    const client = session;
    if (!client) return;
    session = undefined;
    giveBack(client, err);
  };
  return {
    async tryAcquire() {
      if (session) return true;
      const client = await pool.connect();
      let ok: boolean;
      try {
        ok = (await client.query<{ ok: boolean }>(`select pg_try_advisory_lock(${KEY}) as ok`)).rows[0]?.ok === true;
      } catch (err) {
        client.release(err as Error);
        throw err;
      }
      if (!ok) {
        client.release();
        return false;
      }
      session = client;
      client.on('error', onError);
      client.on('end', onEnd);
      return true;
    },
    async release() {
      const client = session;
      if (!client) return;
      session = undefined;
      try {
        await client.query(`select pg_advisory_unlock(${KEY})`);
        giveBack(client);
      } catch (err) {
        // The session is gone, and the lock with it.
        giveBack(client, err as Error);
      }
    },
  };
}
