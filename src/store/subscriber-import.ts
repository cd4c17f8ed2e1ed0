// Writing an import's valid rows into subscribers, subscriptions and the
// consent log, chunk by chunk, with the strategy the backend allows:
//
// - With `supportsCopy` (PostgreSQL) the whole import is one transaction on one
//   connection: each chunk is streamed with `COPY … FROM STDIN` into a
//   temporary staging table, then written by two set-based statements (new
//   subscribers; then subscriptions, consent log rows and the outcomes in one
//   statement). Rows never travel as statement parameters, and nothing is
//   committed unless the whole file is: a failure leaves nothing behind.
// - Otherwise (SQLite) each chunk is one transaction of `importBatch`: SQLite
//   has one writer at a time, and a transaction as long as the whole file
//   would lock every sign-up out for as long.
//
// Both give the same outcomes per row, in the same words.
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { Store } from './db.ts';
import { inTransaction } from './transaction.ts';
import { importBatch, importDetails, type ImportBatchOptions, type ImportRow } from './subscribers.ts';

/** What happened to the rows of one chunk. */
export interface ChunkOutcome {
  imported: number;
  unchanged: number;
  /** Rows refused by what the database holds, in line order: suppressed, or an address already imported earlier in the same file. */
  refused: Array<{ line: number; email: string; reason: 'suppressed' | 'duplicate' }>;
}

/** One import being written; chunks are flushed one at a time (wait for a flush before the next). */
export interface SubscriberImport {
  /** Rows per chunk that suit this backend. */
  readonly chunkSize: number;
  /** Adds a row (distinct hash within the chunk), found at this line of the file, to the current chunk. */
  add(row: ImportRow, line: number): void;
  /** Writes the rows added since the last flush; the next chunk may be filled meanwhile. */
  flush(): Promise<ChunkOutcome>;
  /** Makes everything written so far permanent and releases the connection. */
  finish(): Promise<void>;
  /** Gives up: what is not committed is rolled back; the connection is released. */
  abort(): Promise<void>;
}

/** Told how long each database step of an import took (benchmarks, diagnosis); steps are named per backend. */
export type ImportTrace = (step: string, ms: number) => void;

/** Starts writing an import into a publication. */
export async function openSubscriberImport(store: Store, o: ImportBatchOptions, trace?: ImportTrace): Promise<SubscriberImport> {
  if (store.capabilities.supportsCopy && store.pgPool) return copyImport(store.pgPool, o, trace);
  return batchImport(store, o, trace);
}

async function timed<T>(trace: ImportTrace | undefined, step: string, work: () => Promise<T>): Promise<T> {
  if (!trace) return work();
  const started = performance.now();
  try {
    return await work();
  } finally {
    trace(step, performance.now() - started);
  }
}

function batchImport(store: Store, o: ImportBatchOptions, trace?: ImportTrace): SubscriberImport {
  let rows: ImportRow[] = [];
  let lines: number[] = [];
  return {
    chunkSize: 2000,
    add(row, line) {
      rows.push(row);
      lines.push(line);
    },
    async flush() {
      const chunk = rows;
      const chunkLines = lines;
      rows = [];
      lines = [];
      const { outcomes } = await timed(trace, 'batch', () => inTransaction(store, (tx) => importBatch(tx, chunk, o)));
      const out: ChunkOutcome = { imported: 0, unchanged: 0, refused: [] };
      chunk.forEach((r, i) => {
        const outcome = outcomes[i]!;
        if (outcome === 'imported') out.imported++;
        else if (outcome === 'unchanged') out.unchanged++;
        else out.refused.push({ line: chunkLines[i]!, email: r.email, reason: outcome });
      });
      return out;
    },
    async finish() {},
    async abort() {},
  };
}

// COPY's text format: backslash, tab, newline and carriage return must be escaped; \N is null.
const COPY_SPECIAL = /[\\\t\n\r]/;
const COPY_ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };
function copyText(value: string | null): string {
  if (value === null) return '\\N';
  return COPY_SPECIAL.test(value) ? value.replace(/[\\\t\n\r]/g, (c) => COPY_ESCAPES[c]!) : value;
}

// The COPY text of 1,000 rows is kept and sent as one block: one stream
// write per row costs more than the row itself.
const LINES_PER_BLOCK = 1000;
const UNIQUE_VIOLATION = '23505';

// The COPY text of a chunk is written into slabs of 1 MiB, taken from a pool
// that lives as long as the import: the slabs of a chunk go back to it once the
// chunk is staged, and the chunk after next fills them again. A buffer per
// block of rows, freed only when the garbage collector got to it, kept ~100 MB
// of dead buffers outside the heap at the peak and put RSS at 300 MB; one
// buffer per chunk, doubled when full, left its smaller predecessors as
// garbage the same way.
const SLAB_BYTES = 1024 * 1024;

interface Chunk {
  /** Filled parts of slabs (views), in order. */
  parts: Buffer[];
  slabs: Buffer[];
  rows: number;
}

interface OutcomeRow {
  outcome: 'imported' | 'duplicate' | 'suppressed';
  line: number;
  email: string | null;
}

async function copyImport(pool: pg.Pool, o: ImportBatchOptions, trace?: ImportTrace): Promise<SubscriberImport> {
  const client = await pool.connect();
  let released = false;
  const release = (err?: Error) => {
    if (released) return;
    released = true;
    client.release(err);
  };
  try {
    await client.query('begin');
    // The staging table has no statistics (ANALYZE of each chunk cost more than
    // it saved): the planner reckons its size from its pages, well enough for
    // hash joins, but its guesses for the CTE joins are far too high and would
    // make it compile every statement with JIT, which costs seconds per chunk
    // on a busy machine and saves nothing on set-based inserts.
    await client.query('set local jit = off');
    // Each chunk's sorts and hash joins (100,000 rows, and the subscribers and
    // subscriptions they are matched with) then stay in memory instead of
    // spilling to temporary files at the default 4 MB.
    await client.query(`set local work_mem = '64MB'`);
    // Staging rows are the file's, not the newsroom's: no WAL, gone at commit.
    await client.query(`create temporary table import_stage
      (line integer not null, e text not null, h text collate "C" not null, n text, c bigint not null, d text not null) on commit drop`);
  } catch (err) {
    release(err as Error);
    throw err;
  }

  const action = o.status === 'active' ? 'import-confirmed' : 'import';
  const confirmedAt = o.status === 'active' ? o.runAt : null;
  let staged = false;

  const writeChunk = async (chunk: Chunk): Promise<ChunkOutcome> => {
    await timed(trace, 'copy', async () => {
      if (staged) await client.query('truncate import_stage');
      staged = true;
      await pipeline(Readable.from(chunk.parts), client.query(copyFrom('copy import_stage (line, e, h, n, c, d) from stdin')));
    });
    // Staged: the next chunk but one may fill these slabs while the statements run.
    freeSlabs.push(...chunk.slabs);
    chunk.parts = chunk.slabs = [];
    await client.query('savepoint import_chunk');
    let rows: OutcomeRow[];
    try {
      rows = await writeStaged(false);
    } catch (err) {
      // Another transaction added one of these addresses (or subscriptions)
      // since our snapshot: write the chunk again, skipping conflicts row by row.
      if ((err as { code?: string }).code !== UNIQUE_VIOLATION) throw err;
      await client.query('rollback to savepoint import_chunk');
      rows = await writeStaged(true);
    }
    await client.query('release savepoint import_chunk');
    const out: ChunkOutcome = { imported: 0, unchanged: 0, refused: [] };
    for (const r of rows) {
      if (r.outcome === 'imported') out.imported = Number(r.line);
      else out.refused.push({ line: Number(r.line), email: r.email ?? '', reason: r.outcome as 'suppressed' | 'duplicate' });
    }
    out.refused.sort((a, b) => a.line - b.line);
    out.unchanged = chunk.rows - out.imported - out.refused.length;
    return out;
  };

  // Plain inserts of the rows not already there (an anti-join) are much
  // cheaper than ON CONFLICT's speculative insertion of every row (about 40%
  // of the subscribers insert here); `onConflict` is the fallback when a
  // concurrent writer got in between.
  const writeStaged = async (onConflict: boolean): Promise<OutcomeRow[]> => {
    // In hash order, the keyed hash's unique index grows page after page
    // instead of at random places (11% less time for the whole insert).
    await timed(trace, 'subscribers', () =>
      client.query(
        `insert into subscribers (email, email_hash, name, created_at, updated_at)
         select s.e, s.h, s.n, s.c, $2 from import_stage s
         where not exists (select 1 from suppressions p where p.publication_id = $1 and p.email_hash = s.h)
           and not exists (select 1 from subscribers b where b.email_hash = s.h)
         order by s.h
         ${onConflict ? 'on conflict do nothing' : ''}`,
        [o.publicationId, o.runAt],
      ),
    );
    // One statement, one snapshot: `ids` holds each row's subscription as it
    // was before this statement's own inserts, looked up once. A subscription
    // with this run's time and method was created by an earlier chunk: the
    // address came earlier in the file. Subscriptions and their consent rows
    // are created in file order (exports list them by id).
    const { rows } = await timed(trace, 'subscriptions+consent', () =>
      client.query<OutcomeRow>(
        `with ids as materialized (
           select s.line, s.e, s.d, b.id, x.id as x_id, x.created_at as x_created_at, x.source as x_source
           from import_stage s join subscribers b on b.email_hash = s.h
           left join subscriptions x on x.subscriber_id = b.id and x.publication_id = $1
           where not exists (select 1 from suppressions p where p.publication_id = $1 and p.email_hash = s.h)
         ),
         created as (
           insert into subscriptions (subscriber_id, publication_id, status, source, created_at, confirmed_at, unsubscribed_at, updated_at)
           select i.id, $1, $2, $3, $4, $5::bigint, null, $4 from ids i where i.x_id is null
           order by i.line
           ${onConflict ? 'on conflict (subscriber_id, publication_id) do nothing returning subscriber_id' : ''}
         ),
         logged as (
           insert into consent_log (subscriber_id, publication_id, action, method, wording_version, ip_hash, details, at)
           select i.id, $1, $6, $3, null, null, i.d, $4 from ids i
           ${
             // Without ON CONFLICT every row without a subscription got one (or
             // the statement failed): no need to join back what was created.
             onConflict ? 'join created c on c.subscriber_id = i.id' : 'where i.x_id is null'
           }
           order by i.line
           returning 1
         )
         select 'imported' as outcome, count(*)::integer as line, null::text as email from logged
         union all
         select 'duplicate', i.line, i.e from ids i where i.x_created_at = $4 and i.x_source = $3
         union all
         select 'suppressed', s.line, s.e from import_stage s
           join suppressions p on p.publication_id = $1 and p.email_hash = s.h`,
        [o.publicationId, o.status, o.method, o.runAt, confirmedAt, action],
      ),
    );
    return rows;
  };

  // Lines are joined into blocks as they come and written into the chunk's
  // slabs, outside the JavaScript heap: a chunk waiting for its turn does not
  // make the heap grow (row strings promoted to the old generation raised peak
  // RSS by ~100 MB).
  const freeSlabs: Buffer[] = [];
  const newChunk = (): Chunk => ({ parts: [], slabs: [], rows: 0 });
  let current = newChunk();
  let slab: Buffer | undefined;
  let slabUsed = 0;
  // The filled part of the slab being written goes to its chunk.
  const endSlab = () => {
    if (slab && slabUsed > 0) current.parts.push(slab.subarray(0, slabUsed));
    slab = undefined;
    slabUsed = 0;
  };
  let block: string[] = [];
  const endBlock = () => {
    if (!block.length) return;
    const text = block.join('');
    block = [];
    const bytes = Buffer.byteLength(text);
    if (bytes > SLAB_BYTES) {
      // A block of very long rows: a buffer of its own, left to the garbage collector.
      endSlab();
      current.parts.push(Buffer.from(text));
      return;
    }
    if (slab && slabUsed + bytes > SLAB_BYTES) endSlab();
    if (!slab) {
      slab = freeSlabs.pop() ?? Buffer.allocUnsafe(SLAB_BYTES);
      current.slabs.push(slab);
    }
    slabUsed += slab.write(text, slabUsed);
  };

  return {
    chunkSize: 100_000,
    add(r, line) {
      current.rows++;
      block.push(
        `${line}\t${copyText(r.email)}\t${copyText(r.emailHash)}\t${copyText(r.name)}\t${r.createdAt}\t${copyText(importDetails(r))}\n`,
      );
      if (block.length >= LINES_PER_BLOCK) endBlock();
    },
    async flush() {
      endBlock();
      endSlab();
      const chunk = current;
      if (chunk.rows === 0) return { imported: 0, unchanged: 0, refused: [] };
      current = newChunk();
      return writeChunk(chunk);
    },
    async finish() {
      try {
        await timed(trace, 'commit', () => client.query('commit'));
      } catch (err) {
        release(err as Error);
        throw err;
      }
      release();
    },
    async abort() {
      if (released) return;
      try {
        await client.query('rollback');
        release();
      } catch (err) {
        // A connection that cannot even roll back is not given back to the pool.
        release(err as Error);
      }
    },
  };
}
