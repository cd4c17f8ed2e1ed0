// Taking a table for the rest of a transaction (ACCESS EXCLUSIVE) without
// keeping everyone waiting: a bulk import that drops indexes asks for each of
// its tables this way, and fills the indexes as it goes where a table is busy.
import type pg from 'pg';

const LOCK_NOT_AVAILABLE = '55P03';

/**
 * Takes `table` for the transaction if it can within `waitMs`; false when
 * another transaction holds it that long (nothing of the attempt remains).
 */
export async function lockTableWithin(client: pg.PoolClient, table: string, waitMs: number): Promise<boolean> {
  // A savepoint: a lock that times out must not abort the whole transaction.
  await client.query('savepoint table_lock');
  try {
    await client.query(`set local lock_timeout = ${Math.round(waitMs)}`);
    await client.query(`lock table ${table} in access exclusive mode`);
    await client.query('set local lock_timeout to default');
    await client.query('release savepoint table_lock');
    return true;
  } catch (err) {
    if ((err as { code?: string }).code !== LOCK_NOT_AVAILABLE) throw err;
    await client.query('rollback to savepoint table_lock');
    return false;
  }
}
