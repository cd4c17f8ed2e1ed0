// The entry of a preview worker thread (preview-runner.ts). A worker thread
// does not inherit the parent's module hooks, so it registers tsx itself, as
// bin/matinale.js does, before loading the TypeScript that does the work.
import { register } from 'tsx/esm/api';

register();
await import(new URL('./preview-thread-loop.ts', import.meta.url).href);
