// Writing an import's valid rows into subscribers, subscriptions and the
// consent log, chunk by chunk, with the strategy the backend allows:
//
// - With `supportsCopy` (PostgreSQL) the whole import is one transaction on one
//   connection: each chunk is looked up in one statement, then streamed with
//   `COPY … FROM STDIN` straight into the three tables
//   (subscriber-import-copy.ts). Nothing is committed unless the whole file
//   is: a failure leaves nothing behind.
// - Otherwise (SQLite) each chunk is one transaction of `importBatch`: SQLite
//   has one writer at a time, and a transaction as long as the whole file
//   would lock every sign-up out for as long.
//
// Both give the same outcomes per row, in the same words.
import type { Store } from './db.ts';
import { inTransaction } from './transaction.ts';
import { importBatch, type ImportBatchOptions, type ImportRow } from './subscribers.ts';
import { copyImport } from './subscriber-import-copy.ts';
import { timed, type ImportTrace } from './import-trace.ts';
import type { IndexRebuild } from './subscriber-import-rebuild.ts';

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

export type { ImportTrace } from './import-trace.ts';
export type { IndexRebuild } from './subscriber-import-rebuild.ts';

/** How an import is written, besides what it writes. */
export interface ImportWriting {
  /** Told the time of each database step (benchmarks). */
  trace?: ImportTrace;
  /** Rows the file holds, about (its line count). */
  expectedRows?: number;
  /** PostgreSQL: rebuild the address indexes at the end instead of filling them (subscriber-import-rebuild.ts); 'auto' by default. */
  indexRebuild?: IndexRebuild;
}

/** Starts writing an import into a publication. */
export async function openSubscriberImport(store: Store, o: ImportBatchOptions, w: ImportWriting = {}): Promise<SubscriberImport> {
  if (store.capabilities.supportsCopy && store.pgPool) return copyImport(store.pgPool, o, w);
  return batchImport(store, o, w.trace);
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
