// Importing a list of subscribers from a CSV file, streamed: the file is
// checked whole first (import-file-check.ts) so that a file that is not CSV
// is refused before anything is written; then rows are read one by one
// (import-csv.ts), validated, normalised, de-duplicated and handed to the store in
// chunks (store/subscriber-import.ts: COPY straight into the tables in one
// transaction on PostgreSQL, a transaction per chunk on SQLite). Memory stays
// flat whatever the file size: at most two chunks are held at a time.
// Re-importing the same file changes nothing.
import { createReadStream, createWriteStream, openSync, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import type { Readable } from 'node:stream';
import { parse } from 'csv-parse';
import { stringify } from 'csv-stringify';
import iconv from 'iconv-lite';
import type { ImportRow } from '../store/subscribers.ts';
import { openSubscriberImport, type ChunkOutcome, type ImportTrace, type IndexRebuild } from '../store/subscriber-import.ts';
import type { AudienceDeps } from './deps.ts';
import { ADDRESS_PROBLEM_TEXT, parseAddress } from './address.ts';
import { checkImportFile, NotCsvError, type FileCheck } from './import-file-check.ts';
import { mapColumns, nameOf, parseImportDate, type ColumnMap } from './import-columns.ts';
import { ImportCsv, type CsvItem } from './import-csv.ts';
import { publicationBySlug } from './publication-ref.ts';

export { NotCsvError } from './import-file-check.ts';

export interface ImportOptions {
  file: string;
  publicationSlug: string;
  /** The file's people already confirmed elsewhere: active at once (needs a consent source). */
  confirmed?: boolean;
  /** Where consent was given, for rows without a consent_source column. */
  consentSource?: string;
  /** Write refused rows there (CSV: line, reason, email). */
  rejectsFile?: string;
  /** Which column holds what (the dashboard's mapping); found from the header row's names when absent. */
  columns?: ColumnMap;
  /** Rows per chunk written at once (default: what suits the backend). */
  batchSize?: number;
  onProgress?: (p: ImportProgress) => void;
  /** Told the time of each database step (benchmarks). */
  trace?: ImportTrace;
  /**
   * PostgreSQL: whether the address indexes are built again at the end rather
   * than filled row by row; 'auto' (the default) when the file is large next to
   * the list, which then waits for the import (store/subscriber-import-rebuild.ts).
   */
  indexRebuild?: IndexRebuild;
}

export interface ImportProgress {
  /** Data rows read so far. */
  rows: number;
  /** Rows expected (from the line count; multi-line fields make it an upper bound). */
  expectedRows: number;
  imported: number;
  unchanged: number;
  rejected: number;
}

export interface ImportSummary extends ImportProgress {
  publication: string;
  encoding: FileCheck['encoding'];
  delimiter: string;
  /** The first refused rows (all of them are in the rejects file when one was asked for). */
  sampleRejects: Reject[];
}

export interface Reject {
  line: number;
  reason: string;
  email: string;
}

/** Refusals of the whole import (unknown publication, missing consent source…), before anything is written. */
export class ImportRefusedError extends Error {}

const SAMPLE_REJECTS = 20;
// Every 100 rows (about a millisecond of work) the event loop runs: the
// database's answers and the COPY's writes wait for it, and each chunk takes
// about ten round trips. Every 1,000 rows, an import of 1,000,000 took 27-33 s
// against 21-23 s (alternated, load 8-9).
const YIELD_EVERY = 100;

/** Imports a CSV file of subscribers into a publication and reports what happened to every row. */
export async function importSubscribers(deps: AudienceDeps, o: ImportOptions): Promise<ImportSummary> {
  const publication = await publicationBySlug(deps.store, o.publicationSlug);
  if (!publication) throw new ImportRefusedError(`no publication with the slug « ${o.publicationSlug} »`);
  const check = await checkImportFile(o.file);
  const headers = await headerCells(check);
  const columns = o.columns ? checkedColumns(o.columns, headers) : mapColumns(headers);
  if (!columns) {
    throw new NotCsvError(
      `no email column in the header row (found: ${headers.map((h) => `« ${h} »`).join(', ') || 'nothing'}); ` +
        'name it email, Email Address or e-mail',
    );
  }
  const consentFlag = o.consentSource?.trim() || null;
  if (o.confirmed && !consentFlag && columns.consentSource === undefined) {
    throw new ImportRefusedError('--confirmed needs the consent source: give --consent-source TEXT or a consent_source column');
  }

  const runAt = deps.clock.now();
  const progress: ImportProgress = { rows: 0, expectedRows: Math.max(0, check.lines), imported: 0, unchanged: 0, rejected: 0 };
  const sampleRejects: Reject[] = [];
  const rejects = o.rejectsFile ? rejectsWriter(o.rejectsFile) : undefined;
  /** Counts a refused row and writes it down; a promise only when the rejects file is to be waited for. */
  const reject = (r: Reject): Promise<void> | undefined => {
    progress.rejected++;
    if (sampleRejects.length < SAMPLE_REJECTS) sampleRejects.push(r);
    return rejects?.write(r);
  };

  let writer;
  try {
    writer = await openSubscriberImport(deps.store, {
      publicationId: publication.id,
      status: o.confirmed ? 'active' : 'pending',
      runAt,
      method: 'import',
    }, { trace: o.trace, expectedRows: progress.expectedRows, indexRebuild: o.indexRebuild ?? 'auto' });
  } catch (err) {
    await rejects?.close();
    throw err;
  }
  const batchSize = o.batchSize ?? writer.chunkSize;
  // The rows of the chunk being gathered, by address: its size is the chunk's.
  const firstLineOf = new Map<string, number>();
  const report = async (outcome: ChunkOutcome) => {
    progress.imported += outcome.imported;
    progress.unchanged += outcome.unchanged;
    for (const r of outcome.refused) {
      await reject({ line: r.line, reason: r.reason === 'suppressed' ? 'suppressed' : 'duplicate in the file', email: r.email });
    }
    o.onProgress?.({ ...progress });
  };
  // One chunk is written while the next is parsed (the database works while
  // Node reads), never more: memory stays at two chunks whatever the file size.
  let inflight: Promise<void> = Promise.resolve();
  // Time spent here is time the file waits for the database.
  const waitForDatabase = async () => {
    const started = o.trace ? performance.now() : 0;
    await inflight;
    o.trace?.('wait-for-database', performance.now() - started);
  };
  const flush = async () => {
    if (firstLineOf.size === 0) return;
    firstLineOf.clear();
    await waitForDatabase();
    inflight = writer.flush().then(report);
    // A failure is rethrown by the next `await inflight`, not left unhandled meanwhile.
    inflight.catch(() => {});
  };

  // 64 KiB at a time, decoded to text: the records of a read (about 1,000)
  // are handed over at once and handled before the next read.
  const source = createReadStream(o.file, { highWaterMark: 64 * 1024 });
  let input: Readable = source;
  if (check.encoding === 'utf8') source.setEncoding('utf8');
  else {
    input = source.pipe(iconv.decodeStream('win1252')) as unknown as Readable;
    source.on('error', (err: Error) => input.destroy(err));
  }
  const csv = new ImportCsv(check.delimiter);

  const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));
  /**
   * Handles one record. A promise only when it must wait (the rejects file, a
   * chunk to hand over, a turn of the event loop): a promise per row cost about
   * a tenth of Node's time.
   */
  const handle = (item: CsvItem): Promise<void> | undefined => {
    const { line } = item;
    if ('skipped' in item) return reject({ line, reason: csvProblem(item.skipped), email: '' });
    const row = readRow(item.record, columns, deps, consentFlag, runAt, o.confirmed === true);
    let wait: Promise<void> | undefined;
    if ('reason' in row) wait = reject({ line, reason: row.reason, email: row.email });
    else {
      const earlier = firstLineOf.get(row.emailHash);
      if (earlier !== undefined) wait = reject({ line, reason: `duplicate of line ${earlier}`, email: row.email });
      else {
        firstLineOf.set(row.emailHash, line);
        writer.add(row, line);
        if (firstLineOf.size >= batchSize) wait = flush();
      }
    }
    // Records already read never let the event loop reach its I/O: the
    // chunk being written waited for a whole read of the file to be parsed
    // before its COPY could go on, and PostgreSQL sat idle meanwhile.
    if (++progress.rows % YIELD_EVERY === 0) return wait ? wait.then(nextTurn) : nextTurn();
    return wait;
  };

  try {
    for await (const text of input as AsyncIterable<string>) {
      csv.write(text);
      for (const item of csv.take()) {
        const wait = handle(item);
        if (wait) await wait;
      }
    }
    csv.write('', true);
    for (const item of csv.take()) {
      const wait = handle(item);
      if (wait) await wait;
    }
    await flush();
    await waitForDatabase();
    await writer.finish();
  } catch (err) {
    await inflight.catch(() => {});
    await writer.abort();
    throw err;
  } finally {
    source.destroy();
    await rejects?.close();
  }
  return {
    ...progress,
    publication: publication.slug,
    encoding: check.encoding,
    delimiter: check.delimiter,
    sampleRejects,
  };
}

/** Words for the reader's refusals (csv-parse's error codes), for the rejects file. */
function csvProblem(code: string | undefined): string {
  if (code === 'CSV_QUOTE_NOT_CLOSED') return 'unreadable CSV: a quote opened in this row is never closed (the rest of the file was read as one field)';
  return `unreadable CSV (${code ?? 'error'})`;
}

/** What the file's header row holds, and which column the import would take for what: the dashboard's mapping starts from it. */
export async function importFileColumns(file: string): Promise<{ headers: string[]; suggested: ColumnMap | undefined; check: FileCheck }> {
  const check = await checkImportFile(file);
  const headers = await headerCells(check);
  return { headers, suggested: mapColumns(headers), check };
}

/** A mapping given by the caller, refused when it names a column the file does not have. */
function checkedColumns(columns: ColumnMap, headers: readonly string[]): ColumnMap {
  for (const [field, index] of Object.entries(columns)) {
    if (index !== undefined && (!Number.isInteger(index) || index < 0 || index >= headers.length)) {
      throw new ImportRefusedError(`the ${field} column is number ${index + 1}, and the header row has ${headers.length}`);
    }
  }
  return columns;
}

/** The header row's cells, parsed like the rest of the file. */
async function headerCells(check: FileCheck): Promise<string[]> {
  const parser = parse({ delimiter: check.delimiter, bom: true, relax_column_count: true, to_line: 1, relax_quotes: true });
  parser.end(check.headerLine);
  for await (const record of parser as AsyncIterable<string[]>) return record.map((c) => c.trim());
  return [];
}

function readRow(
  record: readonly string[],
  columns: ColumnMap,
  deps: AudienceDeps,
  consentFlag: string | null,
  runAt: number,
  confirmed: boolean,
): ImportRow | { reason: string; email: string } {
  const raw = (record[columns.email] ?? '').trim();
  const parsed = parseAddress(raw);
  if (!parsed.ok) return { reason: ADDRESS_PROBLEM_TEXT[parsed.problem], email: raw };
  let createdAt = runAt;
  if (columns.createdAt !== undefined && (record[columns.createdAt] ?? '').trim()) {
    const ms = parseImportDate(record[columns.createdAt]!);
    if (ms === null) return { reason: 'created_at is not a date', email: parsed.address };
    createdAt = ms;
  }
  const consentSource = (columns.consentSource !== undefined ? record[columns.consentSource]?.trim() : '') || consentFlag;
  if (confirmed && !consentSource) return { reason: 'no consent source', email: parsed.address };
  return {
    email: parsed.address,
    emailHash: deps.keys.addressHash(parsed.address),
    name: nameOf(record, columns),
    createdAt,
    consentSource: consentSource ? consentSource.slice(0, 500) : null,
  };
}

/** A CSV writer for refused rows that respects the disk's pace; opened at once, so that a bad path fails before any row is written. */
function rejectsWriter(path: string) {
  let fd: number;
  try {
    fd = openSync(path, 'w');
  } catch (err) {
    throw new ImportRefusedError(`cannot write the rejects file ${path} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  const out: WriteStream = createWriteStream('', { fd });
  const csv = stringify({ header: true, columns: ['line', 'reason', 'email'] });
  csv.pipe(out);
  return {
    /** Writes a row; a promise when the file is to be waited for. */
    write(r: Reject): Promise<void> | undefined {
      if (!csv.write([r.line, r.reason, r.email])) return once(csv, 'drain').then(() => {});
      return undefined;
    },
    async close() {
      csv.end();
      await once(out, 'close');
    },
  };
}
