// `node --import ./test/helpers/module-trace.mjs …` with MODULE_TRACE=FILE
// appends to FILE the URL of every module the process loads through the ES
// module loader, one a line, with the milliseconds since the process started:
// test/cli/lazy-commands.test.ts proves with it which modules a command loads,
// bench/start.ts shows where a start's time goes. (CommonJS files that a
// CommonJS package requires itself do not pass here; its entry does.)
import { register } from 'node:module';

if (process.env.MODULE_TRACE) register(new URL('./module-trace-hooks.mjs', import.meta.url));
