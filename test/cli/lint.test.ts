import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';

const FIX = 'test/fixtures/lint';

function matinale(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['bin/matinale.js', ...args], { encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('lint: warnings only exit 0, diagnostics sorted on stdout, a summary on stderr', () => {
  const r = matinale('lint', `${FIX}/defective.md`);
  assert.equal(r.status, 0, r.stderr);
  const lines = r.stdout.trim().split('\n');
  assert.equal(lines.length, 10);
  for (const line of lines) assert.match(line, /^test\/fixtures\/lint\/defective\.md:\d+:\d+ warning [a-z-]+ .+/);
  assert.ok(lines.includes(`${FIX}/defective.md:19:47 warning fr-elision elision « l'rédaction »: « rédaction » starts with a consonant, write the word before it in full`));
  const places = lines.map((l) => l.split(' ')[0]!.split(':').slice(1).map(Number) as [number, number]);
  const sorted = [...places].sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  assert.deepEqual(places, sorted);
  assert.equal(r.stderr.trim(), '0 errors, 10 warnings');
});

test('lint: the word list beside the publication settings is read; --words replaces it', () => {
  const byDefault = matinale('lint', `${FIX}/clean.md`);
  assert.equal(byDefault.stdout, '');
  const other = matinale('lint', `${FIX}/clean.md`, '--words', `${FIX}/other.words.txt`);
  assert.equal(other.status, 0);
  assert.match(other.stdout, /unknown-word unknown word « datacenter »/);
  assert.match(other.stdout, /unknown-word unknown word « Arcep »/);
});

test('lint: info findings alone (likely names) exit 0, counted apart in the summary', () => {
  const r = matinale('lint', `${FIX}/names-only.md`);
  assert.equal(r.status, 0, r.stderr);
  const lines = r.stdout.trim().split('\n');
  assert.deepEqual(
    lines.map((l) => l.split(' ').slice(0, 3).join(' ')),
    [`${FIX}/names-only.md:9:13 info unknown-word`, `${FIX}/names-only.md:9:41 info unknown-word`],
  );
  assert.equal(r.stderr.trim(), '0 errors, 0 warnings, 2 info');
  const json = matinale('lint', `${FIX}/names-only.md`, '--json');
  assert.equal(json.status, 0);
  assert.deepEqual(
    (JSON.parse(json.stdout) as { severity: string; word: string }[]).map((d) => `${d.severity} ${d.word}`),
    ['info Chappaz', 'info Zorbalux'],
  );
});

test('lint: an edition with errors exits 1 and prints them', () => {
  const r = matinale('lint', `${FIX}/broken.md`);
  assert.equal(r.status, 1);
  assert.match(r.stdout, /broken\.md:3:7 error front-matter-date /);
  assert.match(r.stdout, /broken\.md:12:19 error raw-html /);
  // The lint warnings too, although the date keeps the edition from being whole.
  assert.match(r.stdout, /broken\.md:12:36 warning fr-elision /);
  assert.match(r.stderr, /^3 errors, 1 warning$/m);
});

test('lint: an error that prevents an edition (impossible date, unknown key) still lets every lint rule run', () => {
  const file = `${FIX}/invalid-front-matter.md`;
  const r = matinale('lint', file);
  assert.equal(r.status, 1);
  assert.deepEqual(
    r.stdout.trim().split('\n').map((l) => l.split(' ').slice(0, 3).join(' ')),
    [
      `${file}:3:7 error front-matter-date`,
      `${file}:5:1 error front-matter-unknown-key`,
      `${file}:13:14 warning fr-elision`,
      `${file}:13:41 warning doubled-word`,
    ],
  );
  assert.match(r.stderr, /^2 errors, 2 warnings$/m);
});

test('lint: without publication settings, the rules that need none still run, and a note says what was skipped', () => {
  const file = `${FIX}/unknown-publication.md`;
  const r = matinale('lint', file);
  assert.equal(r.status, 1);
  assert.deepEqual(
    r.stdout.trim().split('\n').map((l) => l.split(' ').slice(0, 3).join(' ')),
    [`${file}:2:14 error publication-not-found`, `${file}:12:41 warning doubled-word`],
  );
  assert.match(r.stderr, /note: the publication’s language is unknown .*spelling and the rules of a language were not checked/);
});

test('lint --json prints the diagnostics as a JSON array', () => {
  const r = matinale('lint', `${FIX}/defective.md`, '--json', '--publication', `${FIX}/publications/aube-numerique.yaml`);
  assert.equal(r.status, 0);
  const diagnostics = JSON.parse(r.stdout) as Array<{ file: string; line: number; column: number; severity: string; rule: string }>;
  assert.equal(diagnostics.length, 10);
  assert.deepEqual(Object.keys(diagnostics[0]!).sort(), ['column', 'file', 'line', 'message', 'rule', 'severity']);
});

test('lint: wrong usage exits 2', () => {
  assert.equal(matinale('lint').status, 2);
  assert.equal(matinale('lint', `${FIX}/clean.md`, '--no-such-flag').status, 2);
  const missing = matinale('lint', `${FIX}/clean.md`, '--words', `${FIX}/absent.txt`);
  assert.equal(missing.status, 2);
  assert.match(missing.stderr, /absent\.txt: no such file/);
});

test('lint: an unreadable edition is an error, exit 1', () => {
  const r = matinale('lint', `${FIX}/absent.md`);
  assert.equal(r.status, 1);
  assert.match(r.stdout, /absent\.md:1:1 error file-unreadable/);
});
