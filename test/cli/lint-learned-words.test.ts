// `matinale lint` with a database: the publication's learned word list is read
// beside the word list file. Two editions approved with `edition add --approve`
// teach a name; one does not; `--no-database` leaves the database out.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cliBackends, runMatinale } from '../helpers/cli-database.ts';

const FIX = 'test/fixtures/lint';

function edition(dir: string, date: string): string {
  const path = join(dir, `${date}-aube-numerique.md`);
  writeFileSync(path, readFileSync(`${FIX}/names-only.md`, 'utf8').replace('date: 2026-03-05', `date: ${date}`));
  return path;
}

/** The words `lint` reports as unknown. */
function unknown(stdout: string): string[] {
  return stdout
    .split('\n')
    .filter((l) => l.includes(' unknown-word '))
    .map((l) => /« ([^»]+) »/.exec(l)![1]!);
}

for (const backend of await cliBackends()) {
  test(`${backend.name}: lint reads the learned word list of the database; two approved editions teach a name, one does not`, async () => {
    const db = await backend.create();
    try {
      mkdirSync(join(db.dir, 'publications'));
      const settings = join(db.dir, 'publications', 'aube-numerique.yaml');
      copyFileSync(`${FIX}/publications/aube-numerique.yaml`, settings);
      assert.equal((await runMatinale(['publication', 'add', settings], db.env)).status, 0);

      const first = edition(db.dir, '2026-03-05');
      const added = await runMatinale(['edition', 'add', first, '--approve'], db.env);
      assert.equal(added.status, 0, added.stderr);
      let lint = await runMatinale(['lint', first], db.env);
      assert.equal(lint.status, 0, lint.stderr);
      assert.deepEqual(unknown(lint.stdout), ['Chappaz', 'Zorbalux'], 'one approved edition teaches nothing');

      const second = edition(db.dir, '2026-03-06');
      assert.equal((await runMatinale(['edition', 'add', second, '--approve'], db.env)).status, 0);
      lint = await runMatinale(['lint', first], db.env);
      assert.equal(lint.status, 0, lint.stderr);
      assert.deepEqual(unknown(lint.stdout), [], 'learned from the second approved edition');
      assert.equal(lint.stderr.trim(), '0 errors, 0 warnings');

      const without = await runMatinale(['lint', first, '--no-database'], db.env);
      assert.deepEqual(unknown(without.stdout), ['Chappaz', 'Zorbalux']);
    } finally {
      await db.dispose();
    }
  });
}
