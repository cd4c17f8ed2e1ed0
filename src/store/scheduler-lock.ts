// The scheduler's lock. PostgreSQL (`supportsAdvisoryLocks`): a session
// advisory lock held on one pooled connection kept for as long as the
// process holds it; when the process dies its session ends, the lock goes with
// it, and any other process takes over at its next try. The key is derived from
// the schema, so that databases sharing a server do not block each other.
// SQLite has no such lock: the one process that writes at a time is enough,
// and starting a send is idempotent anyway (one list send per edition).
import { sql } from 'kysely';
import type { SchedulerLock } from '../delivery/scheduler.ts';
import type { Store } from './db.ts';

/** The scheduler lock of a store. */
export function schedulerLock(store: Store): SchedulerLock {
  if (!store.capabilities.supportsAdvisoryLocks) return { tryAcquire: async () => true, release: async () => {} };
  let held = false;
  let releaseConnection: (() => void) | undefined;
  let session: Promise<void> | undefined;
  return {
    tryAcquire() {
      if (held) return Promise.resolve(true);
      return new Promise<boolean>((resolve) => {
        session = store.db
          .connection()
          .execute(async (conn) => {
            const r = await sql<{ ok: boolean }>`select pg_try_advisory_lock(hashtext('matinale-scheduler:' || current_schema())) as ok`.execute(conn);
            if (!r.rows[0]?.ok) return resolve(false);
            held = true;
            resolve(true);
            await new Promise<void>((r2) => (releaseConnection = r2));
            await sql`select pg_advisory_unlock(hashtext('matinale-scheduler:' || current_schema()))`.execute(conn);
          })
          .catch(() => resolve(false))
          .finally(() => {
            held = false;
            releaseConnection = undefined;
          });
      });
    },
    async release() {
      releaseConnection?.();
      await session;
    },
  };
}
