import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, mkdirSync, copyFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const FIXTURES = join(ROOT, 'test/fixtures/render');

function matinale(args: string[], dir: string) {
  return spawnSync(process.execPath, [join(ROOT, 'bin/matinale.js'), ...args], {
    encoding: 'utf8',
    env: { ...process.env, DATA_DIR: join(dir, 'data'), PUBLIC_URL: 'https://news.example.org' },
  });
}

test('render writes the chosen format to a file, links based on PUBLIC_URL', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'matinale-render-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const out = join(dir, 'edition.txt');
  const run = matinale(['render', join(FIXTURES, 'tech-matin/input.md'), '--format', 'text', '--out', out], dir);
  assert.equal(run.status, 0, run.stderr);
  const text = readFileSync(out, 'utf8');
  assert.equal(text, readFileSync(join(FIXTURES, 'tech-matin/text.txt'), 'utf8'));
});

test('render --format eml gives a multipart/alternative message with the placeholders filled', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'matinale-render-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const run = matinale(
    ['render', join(FIXTURES, 'policy-morning/input.md'), '--format', 'eml', '--publication', join(FIXTURES, 'publications/policy-morning.yaml')],
    dir,
  );
  assert.equal(run.status, 0, run.stderr);
  assert.match(run.stdout, /^Content-Type: multipart\/alternative;/m);
  assert.match(run.stdout, /^Content-Type: text\/plain; charset=utf-8/m);
  assert.match(run.stdout, /^Content-Type: text\/html; charset=utf-8/m);
  assert.match(run.stdout, /^Subject: Ofcom names the day for the spectrum auction$/m);
  assert.doesNotMatch(run.stdout, /%%[a-z_]+%%/);
  // The one-click unsubscribe headers of a real send (RFC 8058), with the sample URL.
  assert.match(run.stdout, /^List-Unsubscribe: <https:\/\/example\.invalid\/unsubscribe\?preview=1>\r?$/m);
  assert.match(run.stdout, /^List-Unsubscribe-Post: List-Unsubscribe=One-Click\r?$/m);
});

test('render refuses an edition with errors: exit 1 and the diagnostics on stderr', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'matinale-render-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(join(dir, 'publications'));
  copyFileSync(join(FIXTURES, 'publications/tech-matin.yaml'), join(dir, 'publications/tech-matin.yaml'));
  const file = join(dir, 'broken.md');
  writeFileSync(file, '---\npublication: tech-matin\ndate: 2026-03-02\nby: Jeanne Moreau\n---\n\n# Section\n\n<div>raw</div>\n');
  const run = matinale(['render', file, '--format', 'email'], dir);
  assert.equal(run.status, 1);
  assert.equal(run.stdout, '');
  assert.match(run.stderr, new RegExp(`${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:9:1 error `));
});
