#!/usr/bin/env node
// The `matinale` command. It runs the JavaScript that `npm install` compiled
// into dist/ (`prepare` runs `npm run build`). MATINALE_SOURCE=1 runs the
// TypeScript of src/ through tsx instead: development (`npm run dev -- …`) and
// the test suite, so that a test never runs a dist/ older than the code.
import { existsSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';

// A process that delivers a send (`worker`, `send … --wait`) bounds its peak
// memory in the list's size (issue 14 asks under 150 MB through a
// 1,000,000-recipient send). What grew was garbage, not live data: each
// recipient's spliced message is a Buffer of the message's size whose small
// object outlives two young-generation collections while its batch is on the
// wire, is promoted, and keeps its memory until the next full collection.
// V8's defaults let the young generation grow to 2 × 16 MB and the old one
// to 4 × what the last full collection kept: 160–213 MB at 100,000
// recipients, the live heap near 30 MB. Here the young generation stops at
// 2 × 4 MB and the old one may grow to 2 × what was kept (full collections
// sooner, each short). V8 reads both at each collection, so they take effect
// when set here, before anything is loaded (NODE_OPTIONS refuses the second,
// and a process started as `node bin/matinale.js` has no other place for
// flags). A young generation kept at its starting 1 MB
// (--semi-space-growth-factor=1) held memory lowest but cost 35–70 % more CPU
// a message in `send --wait` (collections far too frequent), so it was not
// kept. Measured (bench/results/million.md, 150,000 recipients, three
// workers): 125–128 MiB for each worker, flat through the send, now that the
// message of a send a delivering process starts is rendered in a child
// process (src/delivery/send-message.ts); before, the worker holding the
// scheduler lock rendered it too and kept MJML loaded: 163–164 MiB.
const [command, ...rest] = process.argv.slice(2);
if (command === 'worker' || (command === 'send' && rest.includes('--wait'))) {
  setFlagsFromString('--max-semi-space-size=4');
  setFlagsFromString('--heap-growing-percent=100');
}

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
