// `node --import ./test/helpers/module-trace.mjs …` with MODULE_TRACE=FILE
// writes to FILE every module the process loaded, one URL a line: each ES
// module as the loader hands it over (module-trace-hooks.mjs), and at exit
// every CommonJS file in require's cache (those required by CommonJS packages,
// or lazily through createRequire, never pass the ES loader).
// test/cli/lazy-commands.test.ts proves with it which modules a command loads;
// bench/start.ts counts them.
import { appendFileSync } from 'node:fs';
import { createRequire, register } from 'node:module';
import { pathToFileURL } from 'node:url';

const file = process.env.MODULE_TRACE;
if (file) {
  register(new URL('./module-trace-hooks.mjs', import.meta.url));
  const cache = createRequire(import.meta.url).cache;
  process.on('exit', () => {
    const lines = Object.keys(cache).map((path) => `${pathToFileURL(path).href}\n`);
    appendFileSync(file, lines.join(''));
  });
}
