// Without its checker, lint says once that grammar was not checked and how to
// install it, and every other rule still runs. Grammalecte is made missing
// with a real Python that cannot see it (Debian's, without its site packages:
// `python3 -S`), Harper with a package name that is not installed.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { lintFileReport } from '../../src/cli/lint.ts';
import { GrammarService } from '../../src/grammar/service.ts';
import { defaultPython } from '../../src/grammar/grammalecte.ts';

const FIX = 'test/fixtures/grammar';
const dir = mkdtempSync(join(tmpdir(), 'no-grammalecte-'));
const python = join(dir, 'python-without-site');
writeFileSync(python, `#!/bin/sh\nexec ${defaultPython()} -S "$@"\n`);
chmodSync(python, 0o755);
const service = new GrammarService({ grammalecte: { python }, harper: { module: 'harper-js-not-installed' } });
after(async () => {
  await service.close();
  rmSync(dir, { recursive: true, force: true });
});

test('French without Grammalecte: one note with the way to install it; the other rules still report', async () => {
  const { diagnostics, notes } = await lintFileReport(`${FIX}/2026-04-01-grammaire-matin.md`, { checker: service });
  assert.equal(notes.length, 1, notes.join('\n'));
  assert.match(notes[0]!, /^grammar was not checked: Grammalecte is not installed for .*python-without-site .*No module named 'grammalecte'.*apt-get install python3-grammalecte/);
  assert.deepEqual(diagnostics.filter((d) => d.rule.startsWith('grammar-')), []);
  assert.deepEqual(
    diagnostics.map((d) => d.rule),
    ['fr-straight-quotes', 'fr-straight-quotes'],
  );
});

test('English without harper.js: one note; the other rules still report', async () => {
  const { diagnostics, notes } = await lintFileReport(`${FIX}/2026-04-01-grammar-morning.md`, { checker: service });
  assert.equal(notes.length, 1, notes.join('\n'));
  assert.match(notes[0]!, /^grammar was not checked: Harper \(harper\.js\) could not be loaded .*harper-js-not-installed.*npm install/);
  assert.deepEqual(diagnostics, []);
});

test('matinale lint without Grammalecte (MATINALE_PYTHON): the note once on stderr, exit 0, the findings of the other rules on stdout', () => {
  const r = spawnSync(process.execPath, ['bin/matinale.js', 'lint', `${FIX}/2026-04-01-grammaire-matin.md`], {
    encoding: 'utf8',
    env: { ...process.env, MATINALE_PYTHON: python },
  });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stderr.match(/grammar was not checked/g)?.length, 1, r.stderr);
  assert.match(r.stderr, /note: grammar was not checked: Grammalecte is not installed/);
  assert.equal(r.stdout.trim().split('\n').length, 2);
});

test('a Python that is not there is said the same way', async () => {
  const nowhere = new GrammarService({ grammalecte: { python: join(dir, 'no-such-python') } });
  try {
    assert.ok(!existsSync(join(dir, 'no-such-python')));
    const result = await nowhere.check('fr', ['Les mesure annoncées.']);
    assert.ok('unavailable' in result);
    assert.match(result.unavailable, /^grammar was not checked: Grammalecte could not start: there is no Python at .*no-such-python; install/);
  } finally {
    await nowhere.close();
  }
});
