// Looks at a whole import file before anything is written: is it text at all
// (no NUL byte), which encoding (UTF-8 with or without BOM, else Windows-1252),
// which separator, and how many lines (for the progress bar). One streaming
// pass over the bytes, in constant memory whatever the file size.
import { isUtf8 } from 'node:buffer';
import { open } from 'node:fs/promises';
import iconv from 'iconv-lite';

export type Encoding = 'utf8' | 'windows-1252';

export interface FileCheck {
  encoding: Encoding;
  delimiter: ',' | ';' | '\t';
  /** The header line, decoded. */
  headerLine: string;
  /** Number of line breaks (rows are at most this many, plus one). */
  lines: number;
}

/** Why a file is not a CSV file; the message is for the person who gave it. */
export class NotCsvError extends Error {}

const HEAD_BYTES = 64 * 1024;

const READ_BYTES = 1 << 20;

/** Checks that the file is a text CSV file and tells how to read it. */
export async function checkImportFile(path: string): Promise<FileCheck> {
  // One buffer read into again and again, and no text decoded: decoding each
  // MiB to check it was UTF-8 left a 1 MiB string outside the heap per read
  // (and a read stream a new buffer per read), garbage the collector took its
  // time to free: ~85 MB of RSS for a file of 60 MB, before any row was read.
  const utf8 = new Utf8Check();
  let lines = 0;
  let bytes = 0;
  let head = Buffer.alloc(0);
  const file = await open(path, 'r');
  try {
    const buffer = Buffer.allocUnsafe(READ_BYTES);
    for (;;) {
      const { bytesRead } = await file.read(buffer, 0, READ_BYTES, null);
      if (bytesRead === 0) break;
      const chunk = buffer.subarray(0, bytesRead);
      if (bytes === 0 && chunk.length >= 2 && ((chunk[0] === 0xff && chunk[1] === 0xfe) || (chunk[0] === 0xfe && chunk[1] === 0xff))) {
        throw new NotCsvError('the file is in UTF-16; save it as « CSV UTF-8 » (or Windows-1252) and import it again');
      }
      if (chunk.includes(0)) throw new NotCsvError(`the file is not a CSV file: it holds binary data (a NUL byte near byte ${bytes + chunk.indexOf(0)})`);
      if (head.length < HEAD_BYTES) head = Buffer.concat([head, chunk.subarray(0, HEAD_BYTES - head.length)]);
      utf8.add(chunk);
      for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) lines++;
      bytes += chunk.length;
    }
  } finally {
    await file.close();
  }
  const validUtf8 = utf8.end();
  if (bytes === 0) throw new NotCsvError('the file is empty');
  const bom = head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf;
  const encoding: Encoding = validUtf8 ? 'utf8' : 'windows-1252';
  const text = validUtf8 ? head.subarray(bom ? 3 : 0).toString('utf8') : iconv.decode(head, 'win1252');
  const headerLine = (text.split(/\r?\n|\r/)[0] ?? '').trim();
  // eslint-disable-next-line no-control-regex
  if (!headerLine || /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/.test(headerLine)) {
    throw new NotCsvError('the file is not a CSV file: its first line is not a header row of column names');
  }
  return { encoding, delimiter: delimiterOf(headerLine), headerLine, lines };
}

/** The separator of the header row: the most frequent of `,`, `;` and tab outside quotes. */
function delimiterOf(header: string): ',' | ';' | '\t' {
  const unquoted = header.replace(/"[^"]*"/g, '');
  const count = (c: string) => unquoted.split(c).length - 1;
  const candidates: Array<',' | ';' | '\t'> = [',', ';', '\t'];
  return candidates.reduce((best, c) => (count(c) > count(best) ? c : best), ',');
}

/** Length of the UTF-8 sequence a byte starts (1 for a byte that cannot start one: the check then fails on it). */
function sequenceLength(b: number): number {
  if (b >= 0xc2 && b <= 0xdf) return 2;
  if (b >= 0xe0 && b <= 0xef) return 3;
  if (b >= 0xf0 && b <= 0xf4) return 4;
  return 1;
}

/** Whether bytes given piece by piece are valid UTF-8, a character cut between two pieces included. */
class Utf8Check {
  private valid = true;
  /** The start of a character cut by the end of the last piece (at most 3 bytes, copied). */
  private pending = Buffer.alloc(0);

  add(piece: Buffer): void {
    if (!this.valid) return;
    let start = 0;
    if (this.pending.length) {
      const need = sequenceLength(this.pending[0]!) - this.pending.length;
      if (piece.length < need) {
        this.pending = Buffer.concat([this.pending, piece]);
        return;
      }
      if (!isUtf8(Buffer.concat([this.pending, piece.subarray(0, need)]))) {
        this.valid = false;
        return;
      }
      this.pending = Buffer.alloc(0);
      start = need;
    }
    // A character cut by the end of this piece waits for the next one.
    let cut = piece.length;
    for (let i = piece.length - 1; i >= Math.max(start, piece.length - 3); i--) {
      const b = piece[i]!;
      if ((b & 0xc0) === 0x80) continue;
      if (i + sequenceLength(b) > piece.length) cut = i;
      break;
    }
    if (!isUtf8(piece.subarray(start, cut))) {
      this.valid = false;
      return;
    }
    this.pending = Buffer.from(piece.subarray(cut));
  }

  /** True when every byte given was valid UTF-8 and no character is left cut. */
  end(): boolean {
    return this.valid && this.pending.length === 0;
  }
}
