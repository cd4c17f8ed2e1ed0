// Starting a thread of ours whose module is TypeScript in src/ and JavaScript
// in dist/ (the signing threads, the render thread). Built, the thread runs
// its .js; from source (tests, `npm run dev`) it starts in thread-source.js,
// which registers tsx first: a thread does not inherit its process's
// TypeScript loader. A CPU profile of the process (--cpu-prof) covers the
// thread too; no other flag of the process applies to it.
import { Worker } from 'node:worker_threads';

const FROM_SOURCE = import.meta.url.endsWith('.ts');

/** Starts the module `name` of src/delivery on a new thread. */
export function startThread(name: 'signing-thread' | 'render-thread'): Worker {
  const execArgv = process.execArgv.filter((a) => a.startsWith('--cpu-prof'));
  const entry = new URL(`./${name}.${FROM_SOURCE ? 'ts' : 'js'}`, import.meta.url);
  if (!FROM_SOURCE) return new Worker(entry, { execArgv });
  return new Worker(new URL('./thread-source.js', import.meta.url), { workerData: { entry: entry.href }, execArgv });
}
