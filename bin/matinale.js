#!/usr/bin/env node
// The `matinale` command. It runs the JavaScript that `npm install` compiled
// into dist/ (`prepare` runs `npm run build`). MATINALE_SOURCE=1 runs the
// TypeScript of src/ through tsx instead: development (`npm run dev -- …`) and
// the test suite, so that a test never runs a dist/ older than the code.
import { existsSync } from 'node:fs';

// `matinale --help | head`: a reader that stopped reading is not an error.
process.stdout.on('error', (err) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});

const built = new URL('../dist/cli/main.js', import.meta.url);
const fromSource = process.env.MATINALE_SOURCE === '1';
let main;
if (!fromSource && existsSync(built)) {
  ({ main } = await import(built.href));
} else {
  if (!fromSource) process.stderr.write('matinale: dist/ is not built (npm run build): running src/ through tsx, slower to start\n');
  let tsx;
  try {
    tsx = await import('tsx/esm/api');
  } catch {
    process.stderr.write('matinale: cannot run src/: tsx, a development dependency, is not installed; run `npm run build` where it is\n');
    process.exit(1);
  }
  tsx.register();
  ({ main } = await import('../src/cli/main.ts'));
}
const code = await main(process.argv.slice(2));
// Long-running commands (serve, worker, preview) keep the event loop alive themselves.
if (code !== 0) process.exit(code);
