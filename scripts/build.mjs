// `npm run build` (and `npm install`, through `prepare`): compiles src/ to dist/
// for bin/matinale.js, then copies beside the JavaScript every file under src/
// that is not TypeScript (web assets, word lists, thread entries, scripts): the
// code finds them next to itself through import.meta.url, in src/ as in dist/.
// It builds into a fresh folder and swaps it in at the end, so a failed build
// leaves the previous dist/ whole (or none), never half of one.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const SRC = join(ROOT, 'src');
const DIST = join(ROOT, 'dist');
const NEXT = join(ROOT, 'dist.next');
const OLD = join(ROOT, 'dist.old');

rmSync(NEXT, { recursive: true, force: true });
rmSync(OLD, { recursive: true, force: true });

// tsc through Node itself: no shell, and the same typescript whatever the PATH holds.
let tsc;
try {
  tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
} catch {
  // An install without development dependencies (npm ci --omit=dev) cannot build:
  // fine when it was given a dist/ already, an error when there is none.
  if (existsSync(join(DIST, 'cli', 'main.js'))) {
    console.error('build: typescript (a development dependency) is not installed; dist/ kept as it is');
    process.exit(0);
  }
  console.error('build: typescript (a development dependency) is not installed, and there is no dist/ to run: install with development dependencies (npm ci), or bring a built dist/');
  process.exit(1);
}
const compiled = spawnSync(process.execPath, [tsc, '-p', join(ROOT, 'tsconfig.build.json'), '--outDir', NEXT], { stdio: 'inherit' });
if (compiled.status !== 0) {
  rmSync(NEXT, { recursive: true, force: true });
  console.error(`build: tsc failed (exit ${compiled.status ?? compiled.signal}); dist/ left as it was`);
  process.exit(1);
}

let copied = 0;
function copyOthers(dir) {
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) copyOthers(path);
    else if (!entry.endsWith('.ts')) {
      cpSync(path, join(NEXT, relative(SRC, path)));
      copied++;
    }
  }
}
copyOthers(SRC);

if (existsSync(DIST)) renameSync(DIST, OLD);
renameSync(NEXT, DIST);
rmSync(OLD, { recursive: true, force: true });
console.error(`build: src/ compiled to dist/ (${copied} other files copied)`);
