import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cliBackends, runMatinale, type CliDatabase } from '../helpers/cli-database.ts';
import { getEdition, listTransitions, listVersions } from '../../src/store/editions.ts';

const EDITOR = 'lucie.fabre@example.org';
const AUTHOR = 'jeanne.moreau@example.org';

/** A newsroom folder: publications/tech-matin.yaml and the sample edition, stored publication. */
async function newsroom(db: CliDatabase): Promise<string> {
  mkdirSync(join(db.dir, 'publications'), { recursive: true });
  copyFileSync('examples/publications/tech-matin.yaml', join(db.dir, 'publications/tech-matin.yaml'));
  const edition = join(db.dir, '2026-03-02-tech-matin.md');
  copyFileSync('examples/2026-03-02-tech-matin.md', edition);
  const r = await runMatinale(['publication', 'add', join(db.dir, 'publications/tech-matin.yaml')], db.env);
  assert.equal(r.status, 0, r.stderr);
  return edition;
}

async function inStore<T>(db: CliDatabase, look: (store: ReturnType<CliDatabase['open']>) => Promise<T>): Promise<T> {
  const store = db.open();
  try {
    return await look(store);
  } finally {
    await store.close();
  }
}

for (const backend of await cliBackends()) {
  test(`${backend.name}: \`edition add\` stores version 1, then 2; --approve approves as the editor; diff compares`, async () => {
    const db = await backend.create();
    try {
      const path = await newsroom(db);
      const first = await runMatinale(['edition', 'add', path], db.env);
      assert.equal(first.status, 0, first.stderr);
      const m = /^edition (\d+) version 1 \(tech-matin 2026-03-02, draft\)$/m.exec(first.stdout);
      assert.ok(m, first.stdout);
      const id = Number(m[1]);

      writeFileSync(path, readFileSync(path, 'utf8').replace('# Le fait du jour', '# Le fait du jour\n\nUne phrase ajoutée.'));
      const second = await runMatinale(['edition', 'add', path, '--approve', '--json'], db.env);
      assert.equal(second.status, 0, second.stderr);
      assert.deepEqual(
        (({ id, version, created, status }) => ({ id, version, created, status }))(JSON.parse(second.stdout)),
        { id, version: 2, created: false, status: 'approved' },
      );
      await inStore(db, async (store) => {
        assert.equal((await getEdition(store, id))?.status, 'approved');
        assert.deepEqual((await listVersions(store, id)).map((v) => [v.number, v.author]), [[1, AUTHOR], [2, AUTHOR]]);
        assert.deepEqual((await listTransitions(store, id)).map((t) => [t.from, t.to, t.actor]), [
          ['draft', 'ready', EDITOR],
          ['ready', 'approved', EDITOR],
        ]);
      });

      const diff = await runMatinale(['edition', 'diff', String(id), '1', '2'], db.env);
      assert.equal(diff.status, 0, diff.stderr);
      assert.match(diff.stdout, /^\+Une phrase ajoutée\.$/m);

      const list = await runMatinale(['edition', 'list', '--publication', 'tech-matin'], db.env);
      assert.match(list.stdout, new RegExp(`^${id}\\t2026-03-02\\tapproved\\tv2`, 'm'));
    } finally {
      await db.dispose();
    }
  });

  test(`${backend.name}: \`edition add\` refuses an edition with errors, prints them, and stores nothing`, async () => {
    const db = await backend.create();
    try {
      const path = await newsroom(db);
      writeFileSync(path, readFileSync(path, 'utf8').replace('date: 2026-03-02', 'date: 2026-02-30\nauthor: X'));
      const r = await runMatinale(['edition', 'add', path], db.env);
      assert.equal(r.status, 1);
      assert.ok(r.stderr.includes(`${path}:3:7 error front-matter-date`), r.stderr);
      assert.ok(r.stderr.includes(`${path}:4:1 error front-matter-unknown-key`), r.stderr);
      await inStore(db, async (store) => assert.deepEqual(await store.db.selectFrom('editions').select('id').execute(), []));
    } finally {
      await db.dispose();
    }
  });

  test(`${backend.name}: \`edition add --approve --as\` an author is refused and stores nothing (one transaction)`, async () => {
    const db = await backend.create();
    try {
      const path = await newsroom(db);
      const r = await runMatinale(['edition', 'add', path, '--approve', '--as', AUTHOR], db.env);
      assert.equal(r.status, 1);
      assert.match(r.stderr, /is an author: moving an edition from ready to approved takes an editor or an admin \(role-not-allowed\)/);
      await inStore(db, async (store) => assert.deepEqual(await store.db.selectFrom('edition_versions').select('id').execute(), []));
    } finally {
      await db.dispose();
    }
  });

  test(`${backend.name}: \`edition add --approve\` of the same file again saves nothing and says the edition is unchanged, still approved`, async () => {
    const db = await backend.create();
    try {
      const path = await newsroom(db);
      const first = await runMatinale(['edition', 'add', path, '--approve'], db.env);
      assert.equal(first.status, 0, first.stderr);
      const id = Number(/^edition (\d+) version 1 \(tech-matin 2026-03-02, approved\)$/m.exec(first.stdout)?.[1]);
      assert.ok(id > 0, first.stdout);

      const again = await runMatinale(['edition', 'add', path, '--approve'], db.env);
      assert.equal(again.status, 0, again.stderr);
      assert.equal(again.stdout, `edition ${id} version 1 (tech-matin 2026-03-02, unchanged, still approved)\n`);
      const json = await runMatinale(['edition', 'add', path, '--json'], db.env);
      assert.deepEqual(
        (({ version, created, unchanged, status }) => ({ version, created, unchanged, status }))(JSON.parse(json.stdout)),
        { version: 1, created: false, unchanged: true, status: 'approved' },
      );
      await inStore(db, async (store) => {
        assert.equal((await getEdition(store, id))?.status, 'approved');
        assert.equal((await listVersions(store, id)).length, 1);
        assert.deepEqual((await listTransitions(store, id)).map((t) => [t.from, t.to]), [['draft', 'ready'], ['ready', 'approved']]);
      });
    } finally {
      await db.dispose();
    }
  });

  test(`${backend.name}: an edition added from the command line has its subject (the first teaser) in \`edition list\``, async () => {
    const db = await backend.create();
    try {
      const path = await newsroom(db);
      const added = await runMatinale(['edition', 'add', path, '--json'], db.env);
      assert.equal(added.status, 0, added.stderr);
      const id = JSON.parse(added.stdout).id as number;
      const subject = 'Réseaux : le plan fibre entre dans sa dernière ligne droite.';
      const list = await runMatinale(['edition', 'list', '--publication', 'tech-matin'], db.env);
      assert.equal(list.stdout, `${id}\t2026-03-02\tdraft\tv1\t${subject}\n`);
      const listed = await runMatinale(['edition', 'list', '--publication', 'tech-matin', '--json'], db.env);
      assert.equal(JSON.parse(listed.stdout)[0].subject, subject);
      // Without --publication: every publication, under its slug (the newcomer's first guess).
      const all = await runMatinale(['edition', 'list'], db.env);
      assert.equal(all.status, 0, all.stderr);
      assert.equal(all.stdout, `tech-matin\n${id}\t2026-03-02\tdraft\tv1\t${subject}\n`);
      const allJson = JSON.parse((await runMatinale(['edition', 'list', '--json'], db.env)).stdout) as Array<{ publication: string; id: number }>;
      assert.deepEqual(allJson.map((e) => [e.publication, e.id]), [['tech-matin', id]]);
    } finally {
      await db.dispose();
    }
  });

  test(`${backend.name}: \`edition status\` refuses scheduled, sending and sent to a person (exit 1): only the delivery goes there`, async () => {
    const db = await backend.create();
    try {
      const path = await newsroom(db);
      const added = await runMatinale(['edition', 'add', path, '--approve', '--json'], db.env);
      assert.equal(added.status, 0, added.stderr);
      const id = JSON.parse(added.stdout).id as number;
      for (const to of ['scheduled', 'sending', 'sent']) {
        const r = await runMatinale(['edition', 'status', String(id), to, '--as', EDITOR], db.env);
        assert.equal(r.status, 1, `${to}: ${r.stdout}`);
        assert.match(r.stderr, new RegExp(`cannot be moved to ${to} by hand: only the delivery moves an edition to scheduled, sending or sent.*\\(role-not-allowed\\)`));
      }
      await inStore(db, async (store) => {
        assert.equal((await getEdition(store, id))?.status, 'approved');
        assert.deepEqual((await listTransitions(store, id)).map((t) => t.to), ['ready', 'approved']);
      });
    } finally {
      await db.dispose();
    }
  });

  test(`${backend.name}: four processes approve the same edition at once: exactly one wins, the others are refused`, async () => {
    const db = await backend.create();
    try {
      const path = await newsroom(db);
      const added = await runMatinale(['edition', 'add', path, '--json'], db.env);
      const id = String(JSON.parse(added.stdout).id);
      const ready = await runMatinale(['edition', 'status', id, 'ready', '--as', AUTHOR], db.env);
      assert.equal(ready.status, 0, ready.stderr);
      const runs = await Promise.all([1, 2, 3, 4].map(() => runMatinale(['edition', 'status', id, 'approved', '--as', EDITOR], db.env)));
      assert.deepEqual(runs.map((r) => r.status).sort(), [0, 1, 1, 1], runs.map((r) => r.stderr).join('\n'));
      for (const r of runs.filter((r) => r.status === 1)) assert.match(r.stderr, /\(wrong-state\)/);
      await inStore(db, async (store) => {
        assert.equal((await listTransitions(store, Number(id))).filter((t) => t.to === 'approved').length, 1);
      });
    } finally {
      await db.dispose();
    }
  });
}
