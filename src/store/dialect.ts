// Everything that differs between SQLite and PostgreSQL lives here (and in
// db.ts, which opens them): capability flags and the column types of the schema.
// The rest of the code asks `store.capabilities`, never "is this PostgreSQL?".
import { type ColumnDataType, type ColumnDefinitionBuilder, type Expression } from 'kysely';

export type DialectName = 'sqlite' | 'postgres';

/** What a backend can do, for the code that must choose a strategy. */
export interface Capabilities {
  dialect: DialectName;
  /** `SELECT … FOR UPDATE SKIP LOCKED`: many workers can claim rows side by side. */
  supportsSkipLocked: boolean;
  /** Session advisory locks: one scheduler across processes. */
  supportsAdvisoryLocks: boolean;
  /** Several processes may write at the same time (SQLite: one writer at a time). */
  supportsConcurrentWriters: boolean;
  /** `INSERT … RETURNING`. Both have it; kept explicit for clarity of intent. */
  supportsReturning: boolean;
  /**
   * `COPY … FROM STDIN` through the store's pool: bulk writes (imports) stream
   * rows into a staging table and then write them set-based, instead of
   * sending them as statement parameters.
   */
  supportsCopy: boolean;
  /**
   * Arrays as statement parameters (`unnest($1::bigint[], …)`): a batch of
   * rows written in one statement of a few parameters, whatever its size.
   */
  supportsArrayParameters: boolean;
  /**
   * `WITH … UPDATE … RETURNING` as a step of a larger statement: a claim
   * picks, marks and answers its rows in one statement, one round trip.
   */
  supportsWritingCtes: boolean;
}

/** Column types used by the migrations, per backend. */
export interface ColumnTypes {
  /** Type of an auto-generated primary key. */
  id: ColumnDataType | Expression<unknown>;
  /** Type of a column referring to an id. */
  ref: ColumnDataType;
  /** Type of a time column (milliseconds since the epoch, UTC). */
  time: ColumnDataType;
  /** Makes an id column the generated primary key. */
  idColumn(c: ColumnDefinitionBuilder): ColumnDefinitionBuilder;
}

export const CAPABILITIES: Record<DialectName, Capabilities> = {
  sqlite: {
    dialect: 'sqlite',
    supportsSkipLocked: false,
    supportsAdvisoryLocks: false,
    supportsConcurrentWriters: false,
    supportsReturning: true,
    supportsCopy: false,
    supportsArrayParameters: false,
    supportsWritingCtes: false,
  },
  postgres: {
    dialect: 'postgres',
    supportsSkipLocked: true,
    supportsAdvisoryLocks: true,
    supportsConcurrentWriters: true,
    supportsReturning: true,
    supportsCopy: true,
    supportsArrayParameters: true,
    supportsWritingCtes: true,
  },
};

export const COLUMN_TYPES: Record<DialectName, ColumnTypes> = {
  sqlite: {
    id: 'integer',
    ref: 'integer',
    time: 'integer',
    idColumn: (c) => c.primaryKey().autoIncrement(),
  },
  postgres: {
    id: 'bigint',
    ref: 'bigint',
    time: 'bigint',
    idColumn: (c) => c.primaryKey().generatedByDefaultAsIdentity(),
  },
};

