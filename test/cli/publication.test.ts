import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cliBackends, runMatinale } from '../helpers/cli-database.ts';
import { getPublicationBySlug, listPublications } from '../../src/store/publications.ts';
import { roleOf } from '../../src/store/people.ts';

for (const backend of await cliBackends()) {
  test(`${backend.name}: \`publication add\` stores the settings and the team; again, it updates them`, async () => {
    const db = await backend.create();
    try {
      const first = await runMatinale(['publication', 'add', 'examples/publications/tech-matin.yaml'], db.env);
      assert.equal(first.status, 0, first.stderr);
      assert.match(first.stdout, /^publication tech-matin created \(id \d+, team of 4\)$/m);
      const again = await runMatinale(['publication', 'add', 'examples/publications/tech-matin.yaml', '--json'], db.env);
      assert.equal(again.status, 0, again.stderr);
      assert.equal(JSON.parse(again.stdout).created, false);

      const store = db.open();
      try {
        const stored = await getPublicationBySlug(store, 'tech-matin');
        assert.equal(stored?.settings.timezone, 'Europe/Paris');
        assert.deepEqual(stored?.team.find((m) => m.role === 'editor')?.email, 'lucie.fabre@example.org');
      } finally {
        await store.close();
      }
    } finally {
      await db.dispose();
    }
  });

  test(`${backend.name}: \`publication add\` again keeps an account \`user add\` made and says so; a member dropped from the file is removed, named`, { timeout: 180_000 }, async () => {
    const db = await backend.create();
    try {
      assert.equal((await runMatinale(['publication', 'add', 'examples/publications/tech-matin.yaml'], db.env)).status, 0);
      const user = await runMatinale(['user', 'add', 'chief@example.org', '--role', 'admin', '--publication', 'tech-matin'], db.env);
      assert.equal(user.status, 0, user.stderr);
      // The same settings without the editor.
      const file = join(db.dir, 'tech-matin.yaml');
      const yaml = readFileSync('examples/publications/tech-matin.yaml', 'utf8');
      const withoutEditor = yaml.replace(/^ {2}- \{ name: Lucie Fabre.*\n/m, '');
      assert.notEqual(withoutEditor, yaml, 'the sample lists Lucie Fabre');
      writeFileSync(file, withoutEditor);

      const again = await runMatinale(['publication', 'add', file], db.env);
      assert.equal(again.status, 0, again.stderr);
      assert.match(again.stdout, /^publication tech-matin updated \(id \d+, team of 4\)$/m);
      assert.ok(again.stdout.includes(`removed from the team, no longer in ${file}: lucie.fabre@example.org (editor)`), again.stdout);
      assert.ok(again.stdout.includes(`kept on the team, not in ${file} (added with \`matinale user add\`): chief@example.org (admin)`), again.stdout);
      const json = JSON.parse((await runMatinale(['publication', 'add', file, '--json'], db.env)).stdout);
      assert.deepEqual({ removed: json.removed, kept: json.kept }, { removed: [], kept: [{ email: 'chief@example.org', role: 'admin' }] });

      const store = db.open();
      try {
        const { id } = (await getPublicationBySlug(store, 'tech-matin'))!;
        assert.equal(await roleOf(store, id, 'chief@example.org'), 'admin');
        assert.equal(await roleOf(store, id, 'lucie.fabre@example.org'), undefined);
      } finally {
        await store.close();
      }
    } finally {
      await db.dispose();
    }
  });

  test(`${backend.name}: \`publication add\` refuses settings with problems, each as FILE:LINE:COL, and stores nothing`, async () => {
    const db = await backend.create();
    try {
      const file = join(db.dir, 'bad.yaml');
      writeFileSync(file, 'slug: tech-matin\nname: Tech Matin\nlanguage: de\ntimezone: Europe/Paris\nschedule: "0 6 * * 1-5"\nfrom: x@example.org\naddress: here\nteam: []\n');
      const r = await runMatinale(['publication', 'add', file], db.env);
      assert.equal(r.status, 1);
      assert.ok(r.stderr.includes(`${file}:3:11 error publication-invalid`), r.stderr);
      assert.match(r.stderr, /publication refused/);
      const store = db.open();
      try {
        // The command migrated nothing either: it refused before opening the database.
        await assert.rejects(listPublications(store));
      } finally {
        await store.close();
      }
    } finally {
      await db.dispose();
    }
  });
}
