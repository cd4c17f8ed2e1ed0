// Looks at a whole import file before anything is written: is it text at all
// (no NUL byte), which encoding (UTF-8 with or without BOM, else Windows-1252),
// which separator, and how many lines (for the progress bar). One streaming
// pass over the bytes, in constant memory whatever the file size.
import { createReadStream } from 'node:fs';
import iconv from 'iconv-lite';

export type Encoding = 'utf8' | 'windows-1252';

export interface FileCheck {
  encoding: Encoding;
  bom: boolean;
  delimiter: ',' | ';' | '\t';
  /** The header line, decoded. */
  headerLine: string;
  /** Number of line breaks (rows are at most this many, plus one). */
  lines: number;
  bytes: number;
}

/** Why a file is not a CSV file; the message is for the person who gave it. */
export class NotCsvError extends Error {}

const HEAD_BYTES = 64 * 1024;

/** Checks that the file is a text CSV file and tells how to read it. */
export async function checkImportFile(path: string): Promise<FileCheck> {
  const utf8 = new TextDecoder('utf-8', { fatal: true });
  let validUtf8 = true;
  let lines = 0;
  let bytes = 0;
  let head = Buffer.alloc(0);
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
    if (bytes === 0 && chunk.length >= 2 && ((chunk[0] === 0xff && chunk[1] === 0xfe) || (chunk[0] === 0xfe && chunk[1] === 0xff))) {
      throw new NotCsvError('the file is in UTF-16; save it as « CSV UTF-8 » (or Windows-1252) and import it again');
    }
    if (chunk.includes(0)) throw new NotCsvError(`the file is not a CSV file: it holds binary data (a NUL byte near byte ${bytes + chunk.indexOf(0)})`);
    if (head.length < HEAD_BYTES) head = Buffer.concat([head, chunk.subarray(0, HEAD_BYTES - head.length)]);
    if (validUtf8) {
      try {
        utf8.decode(chunk, { stream: true });
      } catch {
        validUtf8 = false;
      }
    }
    for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) lines++;
    bytes += chunk.length;
  }
  if (validUtf8) {
    try {
      utf8.decode();
    } catch {
      validUtf8 = false;
    }
  }
  if (bytes === 0) throw new NotCsvError('the file is empty');
  const bom = head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf;
  const encoding: Encoding = validUtf8 ? 'utf8' : 'windows-1252';
  const text = validUtf8 ? head.subarray(bom ? 3 : 0).toString('utf8') : iconv.decode(head, 'win1252');
  const headerLine = (text.split(/\r?\n|\r/)[0] ?? '').trim();
  // eslint-disable-next-line no-control-regex
  if (!headerLine || /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/.test(headerLine)) {
    throw new NotCsvError('the file is not a CSV file: its first line is not a header row of column names');
  }
  return { encoding, bom, delimiter: delimiterOf(headerLine), headerLine, lines, bytes };
}

/** The separator of the header row: the most frequent of `,`, `;` and tab outside quotes. */
function delimiterOf(header: string): ',' | ';' | '\t' {
  const unquoted = header.replace(/"[^"]*"/g, '');
  const count = (c: string) => unquoted.split(c).length - 1;
  const candidates: Array<',' | ';' | '\t'> = [',', ';', '\t'];
  return candidates.reduce((best, c) => (count(c) > count(best) ? c : best), ',');
}
