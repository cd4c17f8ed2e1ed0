// The entry of a preview worker thread (preview-runner.ts). In dist/ the
// compiled loop sits beside this file and runs as it is. From src/ (tests,
// `npm run dev`), a worker thread does not inherit the parent's module hooks,
// so this registers tsx itself, as bin/matinale.js does, before loading the
// TypeScript that does the work. Another thread entry follows the same pattern
// (src/cli/README.md, « Threads »).
import { existsSync } from 'node:fs';

const compiled = new URL('./preview-thread-loop.js', import.meta.url);
if (existsSync(compiled)) {
  await import(compiled.href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import(new URL('./preview-thread-loop.ts', import.meta.url).href);
}
