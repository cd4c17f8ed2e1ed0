// The records of an import file, read from its decoded text: what csv-parse
// gives with the import's options (`relax_quotes`, `relax_column_count`,
// `skip_empty_lines`, `skip_records_with_error`, `bom`, `from_line: 2`), with
// the line each record starts on as the import counts lines, at a fraction of
// its cost.
//
// Why not csv-parse itself: it looks at the file byte by byte through a
// dozen calls each (lookahead, quote, escape, delimiters), about 3 µs a row,
// a quarter of an import's CPU in Node on PostgreSQL. Here a record is cut
// with `indexOf` on the text: fields between delimiters are slices.
// import-csv.test.ts compares both on random texts cut at random places, and
// on the import's own cases, record by record and line by line.
//
// What csv-parse does with these options, and so what this does:
// - The first record (the header row) is skipped; a UTF-8 BOM before it too.
// - The line ending is the first of CRLF, LF or CR met outside quotes; other
//   line breaks are text.
// - A field opened by a quote runs to a quote followed by the delimiter, the
//   line ending or the end of the text; `""` inside is one quote. A quote
//   followed by anything else is text, and so is everything after it up to the
//   delimiter (the field keeps its quotes: `"Ann"x` reads `"Ann"x`). A quote
//   inside a field that did not start with one is text.
// - A line with nothing on it is skipped; a quote opened and never closed
//   makes the rest of the file one record, refused ("skipped").
// - Lines are counted as csv-parse counts them, less what the import took off
//   (a CRLF inside a quoted field counts once): every CR and every LF is a
//   line but the LF of a CRLF line ending.

/** A record, or a refusal of the rest of the file, with the line it starts on. */
export type CsvItem = { record: string[]; line: number } | { skipped: 'CSV_QUOTE_NOT_CLOSED'; line: number };

const QUOTE = 34;
const CR = 13;
const LF = 10;

/** Reads records out of text given piece by piece; `take()` hands over those complete so far. */
export class ImportCsv {
  private text = '';
  private started = false;
  private items: CsvItem[] = [];
  /** The line ending once found: '' before. */
  private ending = '';
  /** Past the header row. */
  private enabled = false;
  /** CR and LF characters csv-parse has counted as lines so far (the LF of a CRLF ending excepted). */
  private breaks = 0;
  /** CRLFs inside fields of records read so far: csv-parse counted each as two lines, the import as one. */
  private overcount = 0;

  constructor(private readonly delimiter: string) {
    if (delimiter.length !== 1 || delimiter === '"' || delimiter === '\r' || delimiter === '\n') throw new Error(`unsupported delimiter ${JSON.stringify(delimiter)}`);
  }

  /** Adds text; `last` when no more follows. */
  write(text: string, last = false): void {
    this.text = this.text.length ? this.text + text : text;
    if (!this.started && (this.text.length || last)) {
      this.started = true;
      if (this.text.charCodeAt(0) === 0xfeff) this.text = this.text.slice(1);
    }
    this.read(last);
  }

  /** The records (and the refusal) read so far, in order; each is handed over once. */
  take(): CsvItem[] {
    const out = this.items;
    this.items = [];
    return out;
  }

  private read(last: boolean): void {
    const s = this.text;
    let at = 0;
    while (at < s.length) {
      const next = this.record(s, at, last);
      if (next < 0) break;
      at = next;
    }
    this.text = at ? s.slice(at) : s;
    if (last) this.text = '';
  }

  /**
   * Reads the record starting at `start`: the position after it, or -1 when
   * the text ends before it is known (more is coming). Changes nothing until
   * the record is whole, so that it is read again from its start with more text.
   */
  private record(s: string, start: number, last: boolean): number {
    const delimiter = this.delimiter.charCodeAt(0);
    const len = s.length;
    let ending = this.ending;
    let breaks = 0;
    const fields: string[] = [];
    let p = start;
    let field = '';
    // The last field began with a quote (csv-parse's `wasQuoting`).
    let quoted = false;
    for (;;) {
      field = '';
      quoted = false;
      // Where the field's unquoted text starts; -1 once a quote closed it.
      let plain = p;
      if (p < len && s.charCodeAt(p) === QUOTE) {
        quoted = true;
        let q = p + 1;
        for (;;) {
          const j = s.indexOf('"', q);
          if (j < 0) {
            if (!last) return -1;
            // Never closed: the rest of the text is one record, refused.
            this.refuse(breaks + countBreaks(s, q, len), s, start, len);
            return len;
          }
          breaks += countBreaks(s, q, j);
          field += s.slice(q, j);
          // What this quote is depends on the two characters after it.
          if (j + 2 >= len && !last) return -1;
          const c = j + 1 < len ? s.charCodeAt(j + 1) : -1;
          if (c === QUOTE) {
            field += '"';
            q = j + 2;
            continue;
          }
          if (c === -1 || c === delimiter) {
            p = j + 1;
            plain = -1;
            break;
          }
          if (c === CR || c === LF) {
            if (!ending) ending = c === LF ? '\n' : s.charCodeAt(j + 2) === LF ? '\r\n' : '\r';
            if (s.startsWith(ending, j + 1)) {
              p = j + 1;
              plain = -1;
              break;
            }
          }
          // Anything else: the quotes are text, and the field goes on unquoted.
          field = `"${field}"`;
          plain = j + 1;
          break;
        }
      }
      if (plain >= 0) {
        // Unquoted text, up to the delimiter or the line ending.
        let end = plain;
        for (; end < len; end++) {
          const c = s.charCodeAt(end);
          if (c === delimiter) break;
          if (c !== CR && c !== LF) continue;
          if (c === CR && end + 1 >= len && !last && ending !== '\r' && ending !== '\n') return -1;
          if (!ending) ending = c === LF ? '\n' : s.charCodeAt(end + 1) === LF ? '\r\n' : '\r';
          if (s.startsWith(ending, end)) break;
          breaks++;
        }
        if (end === len && !last) return -1;
        field = plain === p ? s.slice(plain, end) : field + s.slice(plain, end);
        p = end;
      }
      fields.push(field);
      if (p < len && s.charCodeAt(p) === delimiter) {
        p++;
        continue;
      }
      break;
    }
    // p is at the line ending, or at the end of the text (last).
    const atEnding = p < len;
    this.ending = ending;
    const line = this.breaks + 1 - this.overcount;
    this.breaks += breaks + (atEnding ? 1 : 0);
    const next = atEnding ? p + ending.length : len;
    if (!this.enabled) {
      this.enabled = true;
      return next;
    }
    // An empty line is skipped; so is nothing after the last line ending.
    if (fields.length === 1 && field === '' && !quoted) return next;
    // A record ended by the end of the text, its last character a line break: csv-parse had not counted that one yet.
    const uncounted = !atEnding && isBreak(s, len - 1) ? 1 : 0;
    this.items.push({ record: fields, line: line - uncounted });
    for (const f of fields) this.overcount += countCrlf(f);
    return next;
  }

  /** The rest of the text from `start` is one record with a quote never closed: refused, with the line csv-parse gives. */
  private refuse(breaks: number, s: string, start: number, end: number): void {
    // csv-parse reports the line it had counted when the text ended: the last character's break not yet.
    const uncounted = end > start && isBreak(s, end - 1) ? 1 : 0;
    this.items.push({ skipped: 'CSV_QUOTE_NOT_CLOSED', line: this.breaks + breaks + 1 - uncounted - this.overcount });
    this.breaks += breaks;
    this.enabled = true;
  }
}

const isBreak = (s: string, i: number) => i >= 0 && (s.charCodeAt(i) === CR || s.charCodeAt(i) === LF);

/** CR and LF characters in s[from, to) (the inside of a quoted field, usually a few characters). */
function countBreaks(s: string, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i);
    if (c === CR || c === LF) n++;
  }
  return n;
}

/** CRLFs inside a field. */
function countCrlf(field: string): number {
  let n = 0;
  for (let i = field.indexOf('\r\n'); i !== -1; i = field.indexOf('\r\n', i + 2)) n++;
  return n;
}
