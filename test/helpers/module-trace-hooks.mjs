// The loader hook of module-trace.mjs (it runs on the loader's own thread).
import { appendFileSync } from 'node:fs';

const file = process.env.MODULE_TRACE;

export async function load(url, context, nextLoad) {
  const result = await nextLoad(url, context);
  appendFileSync(file, `${url}\n`);
  return result;
}
