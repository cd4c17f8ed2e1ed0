// Runs the whole test suite with Node's own test runner (through tsx).
// MATINALE_SOURCE=1: a test that spawns bin/matinale.js runs src/ as it is, never
// a dist/ built before the last change (test/cli/dist.test.ts checks dist/ itself).
// `npm test` runs everything; `npm test -- test/edition` runs what lies below the given paths.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

function collect(path, out) {
  const stat = statSync(path);
  if (stat.isFile()) {
    if (path.endsWith('.test.ts')) out.push(path);
    return out;
  }
  for (const entry of readdirSync(path).sort()) {
    if (entry === 'node_modules' || entry.startsWith('.')) continue;
    collect(join(path, entry), out);
  }
  return out;
}

const roots = process.argv.slice(2);
const files = (roots.length ? roots : ['test']).flatMap((root) => collect(root, []));
if (files.length === 0) {
  console.error('no test files found under', roots.join(' ') || 'test');
  process.exit(1);
}
// Three files at once on the two-core CI machine: most test files spend their
// time waiting on child processes, sockets, PostgreSQL and Chromium (the suite
// used 1.35 cores on average at two at once), so a third keeps the cores busy.
const result = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-concurrency=3', ...files],
  { stdio: 'inherit', env: { ...process.env, MATINALE_TESTING: '1', MATINALE_SOURCE: '1' } },
);
process.exit(result.status ?? 1);
