// Importing a list of subscribers from a CSV file, streamed: the file is
// checked whole first (import-file-check.ts) so that a file that is not CSV
// is refused before anything is written; then rows are parsed one by one
// (csv-parse), validated, normalised, de-duplicated and handed to the store in
// chunks (store/subscriber-import.ts: COPY straight into the tables in one
// transaction on PostgreSQL, a transaction per chunk on SQLite). Memory stays
// flat whatever the file size: at most two chunks are held at a time.
// Re-importing the same file changes nothing.
import { createReadStream, createWriteStream, openSync, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import type { Readable } from 'node:stream';
import { parse, Parser, type CsvError, type Options as CsvOptions } from 'csv-parse';
import { stringify } from 'csv-stringify';
import iconv from 'iconv-lite';
import type { ImportRow } from '../store/subscribers.ts';
import { openSubscriberImport, type ChunkOutcome, type ImportTrace, type IndexRebuild } from '../store/subscriber-import.ts';
import type { AudienceDeps } from './deps.ts';
import { ADDRESS_PROBLEM_TEXT, parseAddress } from './address.ts';
import { checkImportFile, NotCsvError, type FileCheck } from './import-file-check.ts';
import { mapColumns, nameOf, parseImportDate, type ColumnMap } from './import-columns.ts';
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
  const reject = async (r: Reject) => {
    progress.rejected++;
    if (sampleRejects.length < SAMPLE_REJECTS) sampleRejects.push(r);
    await rejects?.write(r);
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

  const pendingSkips: Reject[] = [];
  const parser = new LineParser({
    delimiter: check.delimiter,
    bom: true,
    relax_column_count: true,
    skip_empty_lines: true,
    skip_records_with_error: true,
    // Exports from spreadsheets put stray quotes inside fields (`"Ann"x`): keep them as text.
    relax_quotes: true,
    from_line: 2,
    on_skip: (err: CsvError | undefined) => {
      pendingSkips.push({ line: parser.fileLine(Number(err?.lines ?? 0)), reason: csvProblem(err?.code), email: '' });
      return undefined;
    },
  });
  // 64 KiB at a time: csv-parse turns a whole read into records at once, and
  // those records wait in its buffer until read (about 1,000 of them here).
  const source = createReadStream(o.file, { highWaterMark: 64 * 1024 });
  const input: NodeJS.ReadableStream = check.encoding === 'utf8' ? source : source.pipe(iconv.decodeStream('win1252'));
  input.on('error', (err: Error) => parser.destroy(err));
  input.pipe(parser);
  const records = recordsOf(parser);

  try {
    for (;;) {
      // Records are read one by one from the parser's buffer, without a
      // promise per record; the loop waits only when the buffer is empty.
      let record = parser.read() as string[] | null;
      if (record === null) {
        if (await records.exhausted()) break;
        continue;
      }
      const line = parser.startLineOfRead();
      if (pendingSkips.length) for (const s of pendingSkips.splice(0)) await reject(s);
      // Records already parsed never let the event loop reach its I/O: the
      // chunk being written waited for a whole read of the file to be parsed
      // before its COPY could go on, and PostgreSQL sat idle meanwhile. Every
      // 1,000 rows the loop lets it run.
      if (++progress.rows % 1000 === 0) await new Promise<void>((resolve) => setImmediate(resolve));
      const row = readRow(record, columns, deps, consentFlag, runAt, o.confirmed === true);
      record = null;
      if ('reason' in row) {
        await reject({ line, reason: row.reason, email: row.email });
        continue;
      }
      const earlier = firstLineOf.get(row.emailHash);
      if (earlier !== undefined) {
        await reject({ line, reason: `duplicate of line ${earlier}`, email: row.email });
        continue;
      }
      firstLineOf.set(row.emailHash, line);
      writer.add(row, line);
      if (firstLineOf.size >= batchSize) await flush();
    }
    for (const s of pendingSkips.splice(0)) await reject(s);
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

/**
 * csv-parse's stream, which also tells the line of the file each record
 * starts on. Its `info` option builds two objects per record (copying the
 * parser's whole `info` twice) only for a line count; here the parser's live
 * count is read as each record is pushed, and the record's first line goes
 * into a queue of plain numbers read in step with the records.
 *
 * csv-parse counts the CR and the LF of a CRLF inside a quoted field as two
 * lines: those are taken off, for this record and every later one.
 */
class LineParser extends Parser {
  private readonly startLines: number[] = [];
  private startLinesRead = 0;
  /** Lines csv-parse counted twice so far. */
  private overcount = 0;

  constructor(options: CsvOptions) {
    super(options);
  }

  override push(record: unknown, encoding?: BufferEncoding): boolean {
    if (record !== null) {
      // At this point csv-parse's count is the record's last line, plus one for each CR and each LF inside its cells.
      let breaks = 0;
      let crlf = 0;
      for (const cell of record as string[]) {
        // Almost no cell has one: a search per cell, no match array per cell.
        for (let i = cell.indexOf('\n'); i !== -1; i = cell.indexOf('\n', i + 1)) {
          breaks++;
          if (i > 0 && cell.charCodeAt(i - 1) === 13) crlf++;
        }
        for (let i = cell.indexOf('\r'); i !== -1; i = cell.indexOf('\r', i + 1)) breaks++;
      }
      this.startLines.push(this.info.lines - this.overcount - breaks);
      this.overcount += crlf;
    }
    return super.push(record, encoding);
  }

  /** The line the record just read starts on (call once after each record read). */
  startLineOfRead(): number {
    const line = this.startLines[this.startLinesRead++]!;
    if (this.startLinesRead === this.startLines.length) {
      this.startLines.length = 0;
      this.startLinesRead = 0;
    }
    return line;
  }

  /** A line number csv-parse gave (a skipped record's), as the file counts it. */
  fileLine(csvLine: number): number {
    return csvLine - this.overcount;
  }
}

/** Waits, when a stream's buffer is empty, for more records, its end or its failure. */
function recordsOf(stream: Readable) {
  let ended = false;
  let failure: Error | undefined;
  let wake: (() => void) | undefined;
  const wakeUp = () => {
    const w = wake;
    wake = undefined;
    w?.();
  };
  stream.on('readable', wakeUp);
  stream.on('end', () => {
    ended = true;
    wakeUp();
  });
  // Kept here and rethrown by the reader: an 'error' event without a listener would end the process.
  stream.on('error', (err: Error) => {
    failure = err;
    wakeUp();
  });
  stream.on('close', wakeUp);
  return {
    /** True at the end of the records; false when more may be read; throws the stream's failure. */
    async exhausted(): Promise<boolean> {
      if (failure) throw failure;
      if (ended) return true;
      if (stream.destroyed) throw new Error('the file was closed before its end');
      await new Promise<void>((resolve) => (wake = resolve));
      if (failure) throw failure;
      return ended;
    },
  };
}

/** Words for csv-parse's error codes, for the rejects file. */
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
    async write(r: Reject) {
      if (!csv.write([r.line, r.reason, r.email])) await once(csv, 'drain');
    },
    async close() {
      csv.end();
      await once(out, 'close');
    },
  };
}
