// A thread of ours (a signing thread, the render thread) when Matinale runs
// from source (tests, `npm run dev`): a worker thread does not inherit the
// TypeScript loader its process registered, so this plain JavaScript
// registers tsx on the thread, then loads the thread's module (`entry`:
// signing-thread.ts, render-thread.ts). Built (dist/), their .js are started
// themselves and this file is not used.
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.entry);
