// SQLite statements kept prepared by their text. Kysely's SQLite driver
// prepares every query anew, and preparing costs about what running a short
// statement does (a batch's claim and results: a tenth of a send's database
// time, 2 % of its CPU). The same text gets the same prepared statement, so
// the worker's claims, results and checks are prepared once per process.
import type SqliteDatabase from 'better-sqlite3';
import type { SqliteDatabase as KyselySqliteDatabase } from 'kysely';

/** Statements kept at most; the least recently used goes first (bulk inserts of varied sizes come and go). */
export const KEPT_STATEMENTS = 100;

/** The database as Kysely's SQLite dialect takes it, its statements kept prepared. */
export function keptStatements(sqlite: SqliteDatabase.Database, size = KEPT_STATEMENTS): KyselySqliteDatabase {
  const kept = new Map<string, SqliteDatabase.Statement>();
  return {
    prepare(sql: string) {
      const statement = kept.get(sql);
      // A statement still iterating (a stream not yet drained) cannot run again meanwhile: another one is prepared.
      if (statement && !statement.busy) {
        // Most recently used last: a Map iterates in insertion order.
        kept.delete(sql);
        kept.set(sql, statement);
        return statement;
      }
      const fresh = sqlite.prepare(sql);
      if (!statement) {
        kept.set(sql, fresh);
        if (kept.size > size) kept.delete(kept.keys().next().value!);
      }
      return fresh;
    },
    close() {
      kept.clear();
      sqlite.close();
    },
  };
}
