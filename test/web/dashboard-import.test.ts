// Importing a CSV file from the dashboard, through the app on every backend:
// the upload (streamed, its size limit enforced while it arrives), the
// mapping of its columns, the import with the CLI's rules, the report and
// its rejects file; a file that is not CSV is refused before anything is written.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { testBackends } from '../helpers/store.ts';
import { AUTHOR, EDITOR, Visitor, newsroom, type Newsroom } from './harness.ts';
import { importJobs, UploadTooLarge } from '../../src/web/import-jobs.ts';

async function upload(n: Newsroom, v: Visitor, body: string | Buffer, fileName = 'list.csv') {
  return n.app.inject({
    method: 'POST',
    url: '/api/publications/tech-matin/imports',
    payload: body,
    headers: { cookie: v.jar.header(), 'content-type': 'text/csv', 'x-csrf-token': v.csrf, 'x-file-name': encodeURIComponent(fileName) },
  });
}

for (const backend of await testBackends()) {
  test(`${backend.name}: an editor uploads a CSV file, maps its columns, follows the import and downloads the rejects`, async () => {
    const n = await newsroom(backend);
    try {
      const editor = new Visitor(n.app);
      await editor.signIn(EDITOR);
      const form = await editor.get('/newsroom/publications/tech-matin/import');
      assert.match(form.body, /at most 100 MiB/);

      // Columns named so that nothing is guessed but the address: the mapping says which is the name.
      const csv = 'Courriel;Qui;Origine\r\nann@example.org;Ann;salon 2026\r\nbroken;X;salon\r\nbob@example.org;Bob;salon 2026\r\nann@example.org;Ann again;salon\r\n';
      const up = await upload(n, editor, csv, 'C:\\Users\\me\\liste été.csv');
      assert.equal(up.statusCode, 200, up.body);
      const next = up.json().next as string;
      const mapping = await editor.get(next);
      assert.match(mapping.body, /liste été\.csv: 5 rows at most, utf8/);
      assert.match(mapping.body, /<option value="0" selected>column 1: Courriel<\/option>/);

      const id = next.split('/').pop()!;
      // Active at once needs a consent source: refused with the mapping again.
      const unsourced = await editor.post(`/newsroom/imports/${id}/start`, { email: '0', name: '1', confirmed: 'yes' });
      assert.equal(unsourced.statusCode, 400);
      assert.match(unsourced.body, /needs the source of their consent/);
      const started = await editor.post(`/newsroom/imports/${id}/start`, { email: '0', name: '1', consentSource: '2', confirmed: 'yes' });
      assert.equal(started.statusCode, 303);

      let report = '';
      for (let i = 0; i < 200; i++) {
        report = (await editor.get(next)).body;
        if (!/http-equiv="refresh"/.test(report)) break;
        await new Promise((r) => setTimeout(r, 25));
      }
      assert.match(report, /<dt>Imported<\/dt><dd>2<\/dd>/);
      assert.match(report, /<dt>Rejected<\/dt><dd>2<\/dd>/);
      assert.match(report, /<td>3<\/td><td>no @ in the address<\/td><td>broken<\/td>/);
      const rejects = await editor.get(`/newsroom/imports/${id}/rejects.csv`);
      assert.equal(rejects.statusCode, 200);
      assert.equal(rejects.body, 'line,reason,email\n3,no @ in the address,broken\n5,duplicate of line 2,ann@example.org\n');
      // The upload itself is gone once imported.
      assert.deepEqual(readdirSync(join(n.config.dataDir, 'imports', id)).sort(), ['job.json', 'rejects.csv']);

      const page = await editor.get('/newsroom/publications/tech-matin/subscribers?q=ann');
      assert.match(page.body, /ann@example\.org<\/a><\/td><td>Ann<\/td><td>active<\/td><td>import<\/td>/);
      const again = await editor.post(`/newsroom/imports/${id}/start`, { email: '0' });
      assert.equal(again.statusCode, 303, 'a finished import is not started again');

      // Not CSV: refused, nothing kept.
      const photo = await upload(n, editor, Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0x10]), 'photo.jpg');
      assert.equal(photo.statusCode, 400);
      assert.match(photo.json().error.message, /photo\.jpg: the file is not a CSV file/);
      assert.equal(readdirSync(join(n.config.dataDir, 'imports')).length, 1);

      // An author may not import, and nobody's upload reaches the disk.
      const author = new Visitor(n.app);
      await author.signIn(AUTHOR);
      assert.equal((await upload(n, author, csv)).statusCode, 403);
      assert.equal((await author.get(next)).statusCode, 403);
      assert.equal(readdirSync(join(n.config.dataDir, 'imports')).length, 1);
    } finally {
      await n.close();
    }
  });
}

test('an upload past the size limit is refused while it arrives, and nothing of it stays', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'matinale-upload-'));
  try {
    const jobs = importJobs(dir);
    const chunks = Array.from({ length: 64 }, () => Buffer.alloc(1024, 'a'));
    await assert.rejects(jobs.receive(Readable.from(chunks), 10_000), UploadTooLarge);
    assert.deepEqual(readdirSync(join(dir, 'imports')), []);
    const ok = await jobs.receive(Readable.from(chunks.slice(0, 9)), 10_000);
    assert.equal(ok.bytes, 9 * 1024);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
