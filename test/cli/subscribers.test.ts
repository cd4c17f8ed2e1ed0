import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cliBackends, runMatinale } from '../helpers/cli-database.ts';

for (const backend of await cliBackends()) {
  test(`${backend.name}: \`subscribers import\` imports, reports and exits 1 on rejected rows; export, show and erase`, async () => {
    const db = await backend.create();
    try {
      assert.equal((await runMatinale(['publication', 'add', 'examples/publications/tech-matin.yaml'], db.env)).status, 0);
      const csv = join(db.dir, 'list.csv');
      writeFileSync(csv, 'Email;Name\r\nann@example.org;Ann\r\nbroken;X\r\nbob@example.org;Bob\r\n');
      const rejects = join(db.dir, 'rejects.csv');

      const r = await runMatinale(['subscribers', 'import', csv, '--publication', 'tech-matin', '--confirmed', '--consent-source', 'paper form', '--rejects', rejects], db.env);
      assert.equal(r.status, 1, r.stderr);
      assert.equal(r.stdout, '2 imported, 0 unchanged, 1 rejected (3 rows, utf8)\n');
      assert.match(r.stderr, /^import: 3\/4 rows \(2 imported, 0 unchanged, 1 rejected\)$/m);
      assert.equal(readFileSync(rejects, 'utf8'), 'line,reason,email\n3,no @ in the address,broken\n');

      const again = await runMatinale(['subscribers', 'import', csv, '--publication', 'tech-matin', '--json'], db.env);
      assert.equal(again.status, 1);
      const summary = JSON.parse(again.stdout);
      assert.deepEqual([summary.imported, summary.unchanged, summary.rejected], [0, 2, 1]);
      assert.deepEqual(summary.rejects, [{ line: 3, reason: 'no @ in the address', email: 'broken' }]);

      const exported = await runMatinale(['subscribers', 'export', '--publication', 'tech-matin'], db.env);
      assert.equal(exported.status, 0, exported.stderr);
      const lines = exported.stdout.trim().split('\n');
      assert.equal(lines.length, 3);
      assert.match(lines[1]!, /^ann@example\.org,Ann,active,import,/);

      const shown = await runMatinale(['subscribers', 'show', 'ANN@example.org', '--json'], db.env);
      assert.equal(shown.status, 0, shown.stderr);
      const data = JSON.parse(shown.stdout);
      assert.equal(data.email, 'ann@example.org');
      assert.equal(data.consentLog[0].details.consentSource, 'paper form');

      // A copy of a message to Ann in the local outbox, as the outbox transport keeps it.
      const outbox = join(db.env.DATA_DIR!, 'outbox');
      mkdirSync(outbox, { recursive: true });
      writeFileSync(join(outbox, '7.1.matinale@news.test.eml'), 'To: ann@example.org\r\nSubject: x\r\n\r\nHello Ann\r\n');
      writeFileSync(join(outbox, 'index.jsonl'), `${JSON.stringify({ file: '7.1.matinale@news.test.eml', messageId: '7.1.matinale@news.test', from: 'b@news.test', to: 'ann@example.org', at: 1, bytes: 40 })}\n`);
      const erased = await runMatinale(['subscribers', 'erase', 'ann@example.org'], db.env);
      assert.equal(erased.status, 0, erased.stderr);
      assert.deepEqual(readdirSync(outbox), ['index.jsonl']);
      assert.equal(readFileSync(join(outbox, 'index.jsonl'), 'utf8'), '');
      assert.equal((await runMatinale(['subscribers', 'show', 'ann@example.org'], db.env)).status, 1);
      const reimport = await runMatinale(['subscribers', 'import', csv, '--publication', 'tech-matin', '--json'], db.env);
      const reasons = JSON.parse(reimport.stdout).rejects.map((x: { line: number; reason: string }) => `${x.line} ${x.reason}`).sort();
      assert.deepEqual(reasons, ['2 suppressed', '3 no @ in the address']);
    } finally {
      await db.dispose();
    }
  });

  test(`${backend.name}: \`subscribers import\` refuses a file that is not CSV (exit 1) and wrong usage (exit 2)`, async () => {
    const db = await backend.create();
    try {
      assert.equal((await runMatinale(['publication', 'add', 'examples/publications/tech-matin.yaml'], db.env)).status, 0);
      const bin = join(db.dir, 'photo.csv');
      writeFileSync(bin, Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00]));
      const r = await runMatinale(['subscribers', 'import', bin, '--publication', 'tech-matin'], db.env);
      assert.equal(r.status, 1);
      assert.match(r.stderr, /photo\.csv: the file is not a CSV file: it holds binary data/);
      assert.equal(r.stdout, '');
      assert.equal((await runMatinale(['subscribers', 'import', bin], db.env)).status, 2);

      // --confirmed without any consent source is wrong usage, refused before anything is written.
      const list = join(db.dir, 'confirmed.csv');
      writeFileSync(list, 'email\nann@example.org\n');
      const unsourced = await runMatinale(['subscribers', 'import', list, '--publication', 'tech-matin', '--confirmed'], db.env);
      assert.equal(unsourced.status, 2, unsourced.stderr);
      assert.match(unsourced.stderr, /--confirmed needs the consent source/);
      const nothing = await runMatinale(['subscribers', 'export', '--publication', 'tech-matin'], db.env);
      assert.equal(nothing.stdout.trim().split('\n').length, 1);
      // With the source in a column of the file, the same command imports.
      writeFileSync(list, 'email,consent_source\nann@example.org,paper form\n');
      assert.equal((await runMatinale(['subscribers', 'import', list, '--publication', 'tech-matin', '--confirmed'], db.env)).status, 0);
    } finally {
      await db.dispose();
    }
  });
}
