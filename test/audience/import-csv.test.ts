// The import's CSV reader against csv-parse with the options the import
// gave it before (and the line numbers the import computed from its count):
// the same records, the same lines, the same refusals, whatever the text and
// wherever it is cut.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Parser, type CsvError } from 'csv-parse';
import { ImportCsv, type CsvItem } from '../../src/audience/import-csv.ts';

/** csv-parse as the import used it, with the start line of each record as the import counted it. */
async function reference(text: string, delimiter: string): Promise<CsvItem[]> {
  const items: CsvItem[] = [];
  let overcount = 0;
  class Lines extends Parser {
    override push(record: unknown, encoding?: BufferEncoding): boolean {
      if (record !== null) {
        let breaks = 0;
        let crlf = 0;
        for (const cell of record as string[]) {
          for (let i = 0; i < cell.length; i++) {
            if (cell[i] === '\n' || cell[i] === '\r') breaks++;
            if (cell[i] === '\n' && cell[i - 1] === '\r') crlf++;
          }
        }
        items.push({ record: record as string[], line: this.info.lines - overcount - breaks });
        overcount += crlf;
      }
      return super.push(record, encoding);
    }
  }
  const parser = new Lines({
    delimiter,
    bom: true,
    relax_column_count: true,
    skip_empty_lines: true,
    skip_records_with_error: true,
    relax_quotes: true,
    from_line: 2,
    on_skip: (err: CsvError | undefined) => {
      items.push({ skipped: err!.code as 'CSV_QUOTE_NOT_CLOSED', line: Number(err!.lines) - overcount });
      return undefined;
    },
  });
  parser.on('data', () => {});
  const done = new Promise<void>((resolve, reject) => {
    parser.on('end', resolve);
    parser.on('close', resolve);
    parser.on('error', reject);
  });
  parser.end(Buffer.from(text));
  await done;
  return items;
}

/** The reader fed the text in pieces cut at `cuts`. */
function read(text: string, delimiter: string, cuts: number[]): CsvItem[] {
  const csv = new ImportCsv(delimiter);
  const items: CsvItem[] = [];
  let from = 0;
  for (const cut of [...cuts].sort((a, b) => a - b)) {
    csv.write(text.slice(from, Math.max(from, cut)));
    items.push(...csv.take());
    from = Math.max(from, cut);
  }
  csv.write(text.slice(from), true);
  items.push(...csv.take());
  return items;
}

const PIECES = ['a', 'b', 'é', ' ', ',', ';', '\t', '"', '"', '""', '\r', '\n', '\r\n', '\r\n', 'ann@example.org', '😀'];

test('random texts, cut anywhere: the same records, lines and refusals as csv-parse', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.boolean(),
      fc.array(fc.constantFrom(...PIECES), { maxLength: 60 }),
      fc.constantFrom(',', ';', '\t'),
      fc.array(fc.nat({ max: 200 }), { maxLength: 6 }),
      async (bom, pieces, delimiter, cuts) => {
        const text = (bom ? '\uFEFF' : '') + pieces.join('');
        assert.deepEqual(read(text, delimiter, cuts), await reference(text, delimiter), JSON.stringify(text));
      },
    ),
    { numRuns: 3000 },
  );
});

test('the cases of the import\'s tests, and what exports look like', async () => {
  const texts = [
    '\uFEFF"Email Address","First Name","Last Name",OPTIN_TIME\r\nann@Example.org,Ann,"Lee, Jr.",2025-01-02 10:00:00\r\nnot-an-address,Bob,,\r\n"carl@example.org","Carl ""CJ""",Jones,\r\n\r\nANN@example.org,Ann again,,\r\n,,,\r\n',
    'email,name\nann@example.org,"Ann"x\nbob@example.org,Bob\ncarl@example.org,"Carl\n',
    'email,name\nm0@example.org,"Reader 0\nsecond line\r\nthird, xx"\nm1@example.org,y\nm7@example.org,again\n',
    'email\n"m7@example.org"\r\n"a\r\nb"\r\n"m7@example.org"\r\n',
    'email;Nom\rzoe@example.fr;Zoé\ranne@example.fr;"A\nB"\r',
    'email,name\nann@example.org,"ends with a quote"',
    'email,name\nann@example.org,Ann\r\nbob@example.org,Bob\r\n',
    'email\n\n\n"",\nx\n',
    'email',
    '',
    '"email\nann@example.org\n',
  ];
  for (const text of texts) {
    for (const cuts of [[], [1], [5, 17], Array.from({ length: text.length }, (_, i) => i)]) {
      assert.deepEqual(read(text, text.includes(';') ? ';' : ',', cuts), await reference(text, text.includes(';') ? ';' : ','), JSON.stringify(text));
    }
  }
});

test('a record is handed over only once whole; the line of each is where it starts', () => {
  const csv = new ImportCsv(',');
  csv.write('email,name\nann@example.org,"Ann\nLee"\nbob@exa');
  assert.deepEqual(csv.take(), [{ record: ['ann@example.org', 'Ann\nLee'], line: 2 }]);
  csv.write('mple.org,Bob\n');
  assert.deepEqual(csv.take(), [{ record: ['bob@example.org', 'Bob'], line: 4 }]);
  csv.write('', true);
  assert.deepEqual(csv.take(), []);
});
