// The message thread when Matinale runs from source (tests, `npm run dev`):
// a worker thread does not inherit the TypeScript loader its process
// registered, so this plain JavaScript registers tsx on the thread, then loads
// message-thread.ts. Built (dist/), the pool starts message-thread.js itself
// and this file is not used.
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.entry);
